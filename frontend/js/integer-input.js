// Checks what a person typed as a count before it is sent. Only obvious mistakes are
// caught here; the range check is left to the API so its message is what people see.

const SIGNED_DIGITS = /^([+-]?)(\d+)$/;

/**
 * Returns {ok: true, digits} with the canonical JSON digits (no "+", no leading zeros),
 * or {ok: false, message}.
 */
export function parseIntegerInput(text) {
  const trimmed = text.trim().replace(/[\s_]/g, "");
  if (trimmed === "") return { ok: false, message: "Enter a whole number, for example 42." };
  const match = SIGNED_DIGITS.exec(trimmed);
  if (!match) {
    const message = `“${text.trim()}” is not a whole number: use only digits, with an optional minus sign.`;
    return { ok: false, message };
  }
  const magnitude = match[2].replace(/^0+(?=\d)/, "");
  const sign = match[1] === "-" && magnitude !== "0" ? "-" : "";
  return { ok: true, digits: sign + magnitude };
}
