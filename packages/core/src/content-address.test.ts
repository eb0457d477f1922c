import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { blobKey, sha256HexSchema, uploadKey } from "./content-address";

const HASH = createHash("sha256").update("facet").digest("hex");

describe("blobKey", () => {
  it("uses blobs/sha256/<ab>/<cd>/<hash>", () => {
    expect(blobKey(HASH)).toBe(`blobs/sha256/${HASH.slice(0, 2)}/${HASH.slice(2, 4)}/${HASH}`);
  });

  it("fans out on the first two bytes of a known digest", () => {
    // sha256("") = e3b0c442...
    const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    expect(blobKey(empty)).toBe(`blobs/sha256/e3/b0/${empty}`);
  });

  it("is deterministic and distinct for distinct hashes", () => {
    const other = createHash("sha256").update("facet2").digest("hex");
    expect(blobKey(HASH)).toBe(blobKey(HASH));
    expect(blobKey(HASH)).not.toBe(blobKey(other));
  });

  it.each([
    ["uppercase", HASH.toUpperCase()],
    ["one uppercase letter", HASH.replace(/[a-f]/, (c) => c.toUpperCase())],
    ["short", HASH.slice(0, 63)],
    ["long", `${HASH}0`],
    ["non-hex", `g${HASH.slice(1)}`],
    ["empty", ""],
    ["trailing newline", `${HASH}\n`],
    ["leading space", ` ${HASH.slice(1)}`],
    ["path traversal", `../${HASH.slice(3)}`],
    ["sha256: prefix", `sha256:${HASH}`],
  ])("rejects %s", (_what, bad) => {
    expect(() => blobKey(bad)).toThrow();
    expect(sha256HexSchema.safeParse(bad).success).toBe(false);
  });

  it("rejects non-strings", () => {
    expect(() => blobKey(undefined as unknown as string)).toThrow();
    expect(() => blobKey(123 as unknown as string)).toThrow();
  });
});

describe("uploadKey", () => {
  const WS = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  it("puts a workspace's upload under uploads/<workspace>/<hash>, apart from the content addresses", () => {
    expect(uploadKey(WS, HASH)).toBe(`uploads/${WS}/${HASH}`);
    expect(uploadKey(WS.toUpperCase(), HASH)).toBe(`uploads/${WS}/${HASH}`);
    expect(uploadKey(WS, HASH)).not.toBe(blobKey(HASH));
  });

  it("refuses anything but a workspace id and a digest (no path can be smuggled in)", () => {
    expect(() => uploadKey("../blobs", HASH)).toThrow();
    expect(() => uploadKey(WS, `${HASH}/../x`)).toThrow();
  });
});
