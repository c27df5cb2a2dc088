/**
 * Reads a secret from the terminal without echoing it, for passwords that must not be typed on the
 * command line. Only on a terminal: piped input should be read as a file instead.
 */

export function canPromptSecret(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export function promptSecret(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        // Ctrl-C and Ctrl-D abandon the prompt rather than submit half a password.
        if (ch === '\u0003' || ch === '\u0004') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
