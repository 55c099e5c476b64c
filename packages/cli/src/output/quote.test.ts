// Names and messages with control characters, as a terminal is shown them.

import { describe, expect, it } from "vitest";
import { escapeControls, quoteName } from "./quote.js";

describe("quoteName", () => {
  it("leaves a name without control characters as it is", () => {
    expect(quoteName("notes.md")).toBe("notes.md");
    expect(quoteName("a b 'c' ünï")).toBe("a b 'c' ünï");
  });

  it("quotes as GNU ls does, control characters in $'…'", () => {
    expect(quoteName("a\nb")).toBe("'a'$'\\n''b'");
    expect(quoteName("\n")).toBe("''$'\\n'");
    expect(quoteName("a\n")).toBe("'a'$'\\n'");
    expect(quoteName("\u001b[31mred")).toBe("''$'\\033''[31mred'");
    expect(quoteName("x\r\t\u0007y")).toBe("'x'$'\\r\\t\\a''y'");
    expect(quoteName("it's\n")).toBe("'it'\\''s'$'\\n'");
  });

  it("shows DEL and C1 controls as their UTF-8 bytes in octal", () => {
    expect(quoteName("a\u007f")).toBe("'a'$'\\177'");
    expect(quoteName("\u009b2J")).toBe("''$'\\302\\233''2J'");
  });
});

describe("escapeControls", () => {
  it("gives each control character as its C escape and leaves the rest", () => {
    expect(escapeControls("plain text")).toBe("plain text");
    expect(escapeControls("copy \u001b]0;owned\u0007 done")).toBe("copy \\033]0;owned\\a done");
  });
});
