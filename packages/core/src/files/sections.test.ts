import { describe, expect, it } from "vitest";
import { lookupLabel, splitSections, vocabulary } from "./sections.js";

const words = vocabulary({ owns: ["owns", "负责"], goal: ["goal", "目标"] });
const classify = (label: string) => lookupLabel(label, words);

describe("sections", () => {
  it("starts sections at headings and at known label lines with ASCII or full-width colons", () => {
    const body = splitSections("# Title\nOwns:\n- a\n目标：ship it\n## Goal / 目标\n- b\n", 10, classify);
    expect(body.title).toEqual({ text: "Title", line: 10 });
    expect(body.sections.map((s) => [s.key, s.line, s.items.map((i) => [i.text, i.line, i.column])])).toEqual([
      ["owns", 11, [["a", 12, 3]]],
      ["goal", 13, [["ship it", 13, 4]]],
      ["goal", 14, [["b", 15, 3]]],
    ]);
  });

  it("keeps an unknown label line as an ordinary item of the current section", () => {
    const body = splitSections("Owns:\nRead these:\n- c\n", 1, classify);
    expect(body.sections).toHaveLength(1);
    expect(body.sections[0]!.items.map((i) => i.text)).toEqual(["Read these:", "c"]);
  });

  it("skips HTML comments, even across lines, and joins a bullet's continuation line", () => {
    const body = splitSections(
      "Owns:\n<!-- - hidden\n  still hidden -->\n- first part\n  second part\n3) numbered\n",
      1,
      classify,
    );
    expect(body.sections[0]!.items.map((i) => i.text)).toEqual(["first part second part", "numbered"]);
  });

  it("matches bilingual headings on any of their parts", () => {
    expect(classify("负责 (Owns)")).toBe("owns");
    expect(classify("**Goal**")).toBe("goal");
  });
});
