// Untrusted text in messages: a name or id read from storage, shown so that it cannot mislead.

const PLAIN = /^[\w.=:/+-]*$/;

/** An untrusted string as a message shows it: quoted and escaped unless it is plain. */
export function shown(text: string): string {
  return PLAIN.test(text) && text.length <= 120 ? text : JSON.stringify(text.slice(0, 120));
}
