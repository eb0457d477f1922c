import { splitMentions } from "@facet/core";
import { describe, expect, it } from "vitest";
import { insertMention, type MentionMember, matchMembers, mentionQuery, mentionToken } from "./mentions";

const member = (userId: string, email: string, name: string | null = null): MentionMember => ({
  userId,
  email,
  handle: email.split("@")[0] as string,
  name,
});

const MEMBERS = [
  member("1", "fay@example.test", "Fay Annotator"),
  member("2", "gil@example.test", "Gil Engineer"),
  member("3", "fabian@lab.test", "Fabian"),
  member("4", "ann@example.test", "Ann Fayette"),
];

describe("mentionQuery", () => {
  it("finds the handle being typed after an @", () => {
    expect(mentionQuery("hello @fa", 9)).toEqual({ start: 6, query: "fa" });
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("(@gi", 4)).toEqual({ start: 1, query: "gi" });
  });

  it("reads only up to the caret", () => {
    expect(mentionQuery("@fay and more", 3)).toEqual({ start: 0, query: "fa" });
  });

  it("is not a mention once a space follows or inside an email address", () => {
    expect(mentionQuery("@fay ", 5)).toBeNull();
    expect(mentionQuery("mail bob@exa", 12)).toBeNull();
    expect(mentionQuery("no at sign", 10)).toBeNull();
  });
});

describe("matchMembers", () => {
  it("puts handle prefixes first, then email and name-word matches, then substrings", () => {
    expect(matchMembers(MEMBERS, "fa").map((m) => m.handle)).toEqual(["fabian", "fay", "ann"]);
    expect(matchMembers(MEMBERS, "engineer").map((m) => m.handle)).toEqual(["gil"]);
    expect(matchMembers(MEMBERS, "LAB").map((m) => m.handle)).toEqual(["fabian"]);
  });

  it("lists everyone for an empty query, up to the limit, and nobody for no match", () => {
    expect(matchMembers(MEMBERS, "")).toHaveLength(4);
    expect(matchMembers(MEMBERS, "", 2)).toHaveLength(2);
    expect(matchMembers(MEMBERS, "zzz")).toEqual([]);
  });
});

describe("mentionToken", () => {
  it("uses the handle when it names one member", () => {
    expect(mentionToken(MEMBERS[0] as MentionMember, MEMBERS)).toBe("fay");
  });

  it("uses the email when another member shares the handle or the handle ends in punctuation", () => {
    const twins = [...MEMBERS, member("5", "fay@other.test")];
    expect(mentionToken(twins[0] as MentionMember, twins)).toBe("fay@example.test");
    const dotted = member("6", "dot.@example.test");
    expect(mentionToken(dotted, [dotted])).toBe("dot.@example.test");
  });
});

describe("insertMention", () => {
  it("replaces the typed query by the mention and a space, caret after it", () => {
    const r = insertMention("hi @fa", 3, 6, "fay");
    expect(r).toEqual({ text: "hi @fay ", caret: 8 });
    // what was inserted is a mention the renderer (and the database) reads as such
    expect(splitMentions(r.text)).toContainEqual({ mention: "fay" });
  });

  it("keeps the text after the caret and does not double a following space", () => {
    expect(insertMention("@g please", 0, 2, "gil")).toEqual({ text: "@gil please", caret: 5 });
    expect(insertMention("@gend", 0, 2, "gil")).toEqual({ text: "@gil end", caret: 5 });
  });
});
