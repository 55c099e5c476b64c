// The code example of a README section: its first ```ts block.

export function readmeExample(markdown: string, heading: string): string {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const code = section && /^```ts\n([\s\S]*?)^```$/m.exec(section)?.[1];
  if (!code) throw new Error(`no \`\`\`ts block under "## ${heading}"`);
  return code;
}
