import { AppError } from "@facet/core";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

/**
 * What a new password must be (NIST SP 800-63B): long enough, and not easy to guess: not on the
 * lists of common and leaked passwords, not a repeat, a sequence or a keyboard walk, not made of
 * the person's email or the product's name. zxcvbn-ts (maintained, with those lists) estimates the
 * guesses an attacker needs; we ask for "safely unguessable" (score 3 of 4, about 10^8 guesses).
 * Checked when an account is created or a password is set, never at sign-in.
 */
export const MIN_PASSWORD_LENGTH = 10;
const MIN_SCORE = 3;

let checker: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  checker ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return checker;
}

// zxcvbn-ts's warning keys, in the words the sign-up form shows
const WARNINGS: Record<string, string> = {
  topTen: "it is one of the ten most used passwords",
  topHundred: "it is one of the hundred most used passwords",
  common: "it is a commonly used password",
  similarToCommon: "it is a small variation of a commonly used password",
  wordByItself: "a single word is easy to guess",
  namesByThemselves: "a name on its own is easy to guess",
  commonNames: "common names are easy to guess",
  userInputs: "it contains your email or the product's name",
  straightRow: "a row of keys is easy to guess",
  keyPattern: "a short keyboard pattern is easy to guess",
  simpleRepeat: 'repeated characters like "aaa" are easy to guess',
  extendedRepeat: 'repeated patterns like "abcabcabc" are easy to guess',
  sequences: 'sequences like "abc" or "6543" are easy to guess',
  recentYears: "recent years are easy to guess",
  dates: "dates are easy to guess",
};

/** WEAK_PASSWORD with the reason, or nothing. `context`: the email and names the password must not lean on. */
export function assertStrongPassword(password: string, context: Array<string | undefined> = []): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError("WEAK_PASSWORD", `passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const inputs = ["facet"];
  for (const c of context) {
    if (!c) continue;
    inputs.push(c.toLowerCase());
    const local = c.split("@")[0];
    if (local && local.length >= 3) inputs.push(local.toLowerCase());
  }
  // the score depends on the first 100 characters only: long passwords are strong enough anyway
  const result = zxcvbn().check(password.slice(0, 100), inputs);
  if (result.score >= MIN_SCORE) return;
  const why = (result.feedback.warning && WARNINGS[result.feedback.warning]) ?? "it is too easy to guess";
  throw new AppError(
    "WEAK_PASSWORD",
    `choose another password: ${why}. A few unrelated words, or a longer phrase, make a strong one`,
  );
}
