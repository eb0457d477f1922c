import { createHash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { contentDisposition, VerifyingStream } from "./common";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Pipes `chunks` through a VerifyingStream; returns what came out and how it ended. */
async function run(chunks: Buffer[], expected: { size: number; sha256: string }) {
  const out: Buffer[] = [];
  const verifier = new VerifyingStream(expected);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  const error = await pipeline(Readable.from(chunks), verifier, sink).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out: Buffer.concat(out), error, verifier };
}

describe("VerifyingStream", () => {
  const chunks = ["ISO-10303-21;\n", "HEADER;\n", "ENDSEC;\n", "END-ISO-10303-21;\n"].map((s) => Buffer.from(s));
  const body = Buffer.concat(chunks);

  it("passes every byte through when the length and hash match", async () => {
    const { out, error, verifier } = await run(chunks, { size: body.length, sha256: sha(body) });
    expect(error).toBeUndefined();
    expect(out.equals(body)).toBe(true);
    expect(verifier.size).toBe(body.length);
    expect(verifier.digest).toBe(sha(body));
  });

  it("holds the last chunk back when the hash or the length is wrong, so the receiver never has it all", async () => {
    const last = chunks[chunks.length - 1]!;
    for (const expected of [
      { size: body.length, sha256: sha(Buffer.from("other")) },
      { size: body.length + 1, sha256: sha(body) },
    ]) {
      const { out, error } = await run(chunks, expected);
      expect(error).toMatchObject({ code: "VALIDATION_FAILED" });
      expect(out.equals(body.subarray(0, body.length - last.length))).toBe(true);
    }
  });

  it("fails as soon as there are more bytes than declared", async () => {
    const { out, error } = await run(chunks, { size: chunks[0]!.length + 1, sha256: sha(body) });
    expect(error).toMatchObject({
      code: "VALIDATION_FAILED",
      message: `more bytes than the declared ${chunks[0]!.length + 1}`,
    });
    expect(out.length).toBe(0);
  });

  it("checks an empty body", async () => {
    expect((await run([], { size: 0, sha256: sha(Buffer.alloc(0)) })).error).toBeUndefined();
    expect((await run([], { size: 0, sha256: sha(body) })).error).toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("contentDisposition", () => {
  it("gives an ASCII fallback and the exact name in RFC 5987 form", () => {
    expect(contentDisposition("part.step")).toBe(`attachment; filename="part.step"; filename*=UTF-8''part.step`);
    expect(contentDisposition('a "b"\\ é(1).step')).toBe(
      `attachment; filename="a _b__ _(1).step"; filename*=UTF-8''a%20%22b%22%5C%20%C3%A9%281%29.step`,
    );
  });
});
