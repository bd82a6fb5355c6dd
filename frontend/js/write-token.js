// The write token some deployments ask for on POST /count (the Producer's WRITE_TOKEN). The page
// asks for it once, when the API first answers that it is needed, and keeps it for this tab only
// (sessionStorage): closing the tab forgets it, and no other site or tab can read it.

const STORAGE_KEY = "count-pipeline.write-token";
const REFUSED = new Set(["write_token_required", "write_token_invalid"]);

/** Whether an API error says the write token is missing or wrong. */
export function isTokenRefusal(error) {
  return error?.name === "ApiError" && error.status === 401 && REFUSED.has(error.code);
}

/**
 * `ask(reason)` shows the question and resolves to the token typed, or null when the person
 * declines. Requests refused at the same moment (a burst) share one question.
 */
export function createWriteToken({ ask, storage = window.sessionStorage }) {
  let question = null;

  return {
    current: () => storage.getItem(STORAGE_KEY),

    /** A token to retry with after `refused` was refused, or null (none given). */
    async renew(refused, reason) {
      const stored = storage.getItem(STORAGE_KEY);
      if (stored && stored !== refused) return stored; // another request already got a new one
      if (stored) storage.removeItem(STORAGE_KEY);
      question ??= ask(reason).then((token) => {
        question = null;
        const trimmed = token?.trim();
        if (trimmed) storage.setItem(STORAGE_KEY, trimmed);
        return trimmed || null;
      });
      return question;
    },

    /** Forgets a token the API refused, so the next send asks again. */
    forget(refused) {
      if (storage.getItem(STORAGE_KEY) === refused) storage.removeItem(STORAGE_KEY);
    },
  };
}
