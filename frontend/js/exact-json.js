// JSON numbers become JavaScript doubles, which silently round integers beyond 2^53.
// Values in this pipeline are signed 64-bit, so integers that a double cannot hold
// exactly are kept as their decimal digits (a string) instead.

const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const INTEGER = /^-?\d+$/;

/** Parses JSON text; integers outside the safe range come back as digit strings. */
export function parseJsonExact(text) {
  const quoted = text.replace(TOKEN, (token) => {
    if (!INTEGER.test(token)) return token; // strings and non-integer numbers stay as they are
    return Number.isSafeInteger(Number(token)) ? token : `"${token}"`;
  });
  return JSON.parse(quoted);
}
