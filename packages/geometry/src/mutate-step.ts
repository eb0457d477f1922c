/**
 * Damaged STEP files for fuzzing the reader and the pipeline behind it (issue 21's hostile-input
 * suite): a real file with bytes flipped, entities removed, references broken or pointed in a
 * circle, numbers made absurd, the file cut short. Seeded, so a failing mutant is reproduced from its
 * seed alone. Test support: never used by the product.
 */
import { random } from "@facet/core";

export const MUTATIONS = [
  "flip-bytes",
  "remove-entities",
  "break-references",
  "cycle-references",
  "absurd-numbers",
  "truncate",
  "duplicate-ids",
  "swap-entity-types",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface Mutant {
  bytes: Uint8Array;
  mutation: Mutation;
  seed: number;
  /** What was done, in a few words (for the failure message of a test). */
  description: string;
}

const ENTITY = /^#(\d+)\s*=/;

/** The DATA section's entity statements (one per `;`), and what comes before and after them. */
function split(text: string): { head: string; entities: string[]; tail: string } {
  const start = text.indexOf("DATA;");
  const end = text.lastIndexOf("ENDSEC;");
  if (start < 0 || end <= start) return { head: text, entities: [], tail: "" };
  const body = text.slice(start + 5, end);
  const entities = body
    .split(/;\s*(?=#\d+\s*=)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s.endsWith(";") ? s.slice(0, -1) : s));
  return { head: text.slice(0, start + 5), entities, tail: text.slice(end) };
}

const join = (head: string, entities: readonly string[], tail: string) =>
  `${head}\n${entities.map((e) => `${e};`).join("\n")}\n${tail}`;

/** How many of `n` things a mutation touches: a few, or now and then many. */
function howMany(n: number, next: () => number): number {
  if (n === 0) return 0;
  // mostly one to three things (files that still nearly read, reaching the meshing and analysis),
  // sometimes a few percent, now and then a third of the file
  const u = next();
  if (u < 0.6) return Math.min(n, 1 + Math.floor(next() * 3));
  const share = u < 0.9 ? 0.002 + next() * 0.03 : 0.05 + next() * 0.3;
  return Math.max(1, Math.min(n, Math.round(n * share)));
}

const pick = <T>(xs: readonly T[], next: () => number): T => xs[Math.floor(next() * xs.length)] as T;

/** One damaged copy of `original`, the mutation chosen by the seed unless given. */
export function mutateStep(original: Uint8Array, seed: number, mutation?: Mutation): Mutant {
  const next = random(seed);
  // drawn even when given, so a seed damages a file the same way whether or not its mutation is named
  const drawn = pick(MUTATIONS, next);
  const kind = mutation ?? drawn;
  const text = new TextDecoder("latin1").decode(original);
  const encode = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  const { head, entities, tail } = split(text);
  const indices = (count: number) => {
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(next() * entities.length));
    return chosen;
  };

  switch (kind) {
    case "flip-bytes": {
      const bytes = Uint8Array.from(original);
      const count = howMany(bytes.length, next);
      for (let i = 0; i < count; i++) {
        const at = Math.floor(next() * bytes.length);
        bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(next() * 8));
      }
      return { bytes, mutation: kind, seed, description: `${count} bits flipped` };
    }
    case "remove-entities": {
      const gone = indices(howMany(entities.length, next));
      return {
        bytes: encode(
          join(
            head,
            entities.filter((_, i) => !gone.has(i)),
            tail,
          ),
        ),
        mutation: kind,
        seed,
        description: `${gone.size} of ${entities.length} entities removed`,
      };
    }
    case "break-references":
    case "cycle-references": {
      const ids = entities.map((e) => Number(ENTITY.exec(e)?.[1] ?? 0)).filter((n) => n > 0);
      const chosen = indices(howMany(entities.length, next));
      let changed = 0;
      const out = entities.map((e, i) => {
        if (!chosen.has(i)) return e;
        const self = ENTITY.exec(e)?.[1];
        const eq = e.indexOf("=");
        if (!self || eq < 0) return e;
        const body = e.slice(eq + 1).replace(/#(\d+)/g, (ref) => {
          if (next() < 0.5) return ref;
          changed++;
          // a dangling id, or (in a circle) the entity itself or one that points back at it
          if (kind === "break-references") return `#${ids.length * 10 + Math.floor(next() * 1e6) + 1}`;
          return next() < 0.5 ? `#${self}` : `#${pick(ids, next)}`;
        });
        return `${e.slice(0, eq + 1)}${body}`;
      });
      return {
        bytes: encode(join(head, out, tail)),
        mutation: kind,
        seed,
        description: `${changed} references ${kind === "break-references" ? "pointed nowhere" : "pointed in circles"}`,
      };
    }
    case "absurd-numbers": {
      const values = ["1.E308", "-1.E308", "1.E-308", "0.", "-0.", "1.E400", "NaN", "99999999999999999999."];
      let changed = 0;
      const chosen = indices(howMany(entities.length, next));
      const out = entities.map((e, i) =>
        chosen.has(i)
          ? e.replace(/-?\d+\.\d*(E[+-]?\d+)?/g, (n) => {
              if (next() < 0.5) return n;
              changed++;
              return pick(values, next);
            })
          : e,
      );
      return {
        bytes: encode(join(head, out, tail)),
        mutation: kind,
        seed,
        description: `${changed} numbers replaced by extremes`,
      };
    }
    case "truncate": {
      const at = Math.floor(next() * original.length);
      return { bytes: original.slice(0, at), mutation: kind, seed, description: `cut at byte ${at}` };
    }
    case "duplicate-ids": {
      const chosen = [...indices(howMany(entities.length, next))];
      const ids = entities.map((e) => ENTITY.exec(e)?.[1]).filter((x): x is string => Boolean(x));
      const out = [...entities];
      for (const i of chosen) {
        const e = out[i] as string;
        out[i] = e.replace(ENTITY, `#${pick(ids, next)}=`);
      }
      return {
        bytes: encode(join(head, out, tail)),
        mutation: kind,
        seed,
        description: `${chosen.length} entities renumbered onto existing ids`,
      };
    }
    case "swap-entity-types": {
      const types = [
        ...new Set(entities.map((e) => /=\s*([A-Z_0-9]+)\s*\(/.exec(e)?.[1]).filter((t): t is string => Boolean(t))),
      ];
      const chosen = indices(howMany(entities.length, next));
      const out = entities.map((e, i) =>
        chosen.has(i) && types.length > 0 ? e.replace(/=\s*([A-Z_0-9]+)\s*\(/, `=${pick(types, next)}(`) : e,
      );
      return {
        bytes: encode(join(head, out, tail)),
        mutation: kind,
        seed,
        description: `${chosen.size} entities given another entity's type`,
      };
    }
  }
}
