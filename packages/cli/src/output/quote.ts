// Names and messages for a terminal: control characters (escape sequences, newlines) are shown,
// never sent, since a pond's names and messages may come from anyone.

/** C0 controls, DEL and C1 controls: what a terminal may act on rather than show. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

const NAMED: Record<string, string> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
};

const encoder = new TextEncoder();

/** A control character as C escapes: a name for the common ones, else its UTF-8 bytes in octal. */
function escapeControl(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  let out = "";
  for (const byte of encoder.encode(char)) out += `\\${byte.toString(8).padStart(3, "0")}`;
  return out;
}

/**
 * A name or path as GNU ls shows it: unchanged unless it holds a control character, else in
 * single quotes with each run of control characters as `$'…'` (a newline in `a\nb` gives
 * `'a'$'\n''b'`), which a shell reads back as the same name.
 */
export function quoteName(name: string): string {
  if (!hasControl(name)) return name;
  let out = "'";
  let escaping = false;
  for (const char of name) {
    if (isControl(char.charCodeAt(0))) {
      if (!escaping) out += "'$'";
      escaping = true;
      out += escapeControl(char);
      continue;
    }
    if (escaping) out += "''";
    escaping = false;
    out += char === "'" ? "'\\''" : char;
  }
  return `${out}'`;
}

/** Prose (a message, an error's detail) with each control character as its C escape. */
export function escapeControls(text: string): string {
  if (!hasControl(text)) return text;
  let out = "";
  for (const char of text) out += isControl(char.charCodeAt(0)) ? escapeControl(char) : char;
  return out;
}
