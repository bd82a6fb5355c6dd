// The Producer API client: every call has a deadline, and every failure becomes one of two
// errors the page can explain: the API answered with an error, or it could not be reached.
import { parseJsonExact } from "./exact-json.js";
import { isTokenRefusal } from "./write-token.js";

/** The API answered with an error status; `message` is the API's own text when it sent one. */
export class ApiError extends Error {
  constructor({ status, code, message, retryAfterSeconds }) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No answer at all: connection refused, network down, or the deadline passed. */
export class UnreachableError extends Error {
  constructor(message) {
    super(message);
    this.name = "UnreachableError";
  }
}

/** Aborts when either the caller's signal aborts or `timeoutMs` passes. */
function deadlineSignal(callerSignal, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("deadline", "TimeoutError")), timeoutMs);
  const forward = () => controller.abort(callerSignal.reason);
  if (callerSignal) {
    if (callerSignal.aborted) forward();
    else callerSignal.addEventListener("abort", forward, { once: true });
  }
  const release = () => {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", forward);
  };
  return { signal: controller.signal, release };
}

function retryAfterSeconds(response) {
  const seconds = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Builds the error for a non-2xx answer, preferring the API's JSON {error, message}. */
function errorFromResponse(response, text) {
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (for example a load balancer's HTML page): fall back to the status line.
  }
  const statusLine = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new ApiError({
    status: response.status,
    code: typeof body?.error === "string" ? body.error : "http_" + response.status,
    message: typeof body?.message === "string" && body.message ? body.message : `The API answered ${statusLine}.`,
    retryAfterSeconds: retryAfterSeconds(response),
  });
}

/**
 * `writeToken` (see write-token.js), when given, answers the API's demand for a write token: a
 * send it refuses for want of one is retried once with the token the person gives.
 */
export function createApiClient({ base = "/api", timeoutMs = 5000, writeToken = null } = {}) {
  const root = base.replace(/\/+$/, "");

  async function request(method, path, { body, signal, timeout = timeoutMs, token } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const deadline = deadlineSignal(signal, timeout);
    try {
      let response;
      let text;
      try {
        response = await fetch(root + path, {
          method,
          body,
          headers,
          cache: "no-store",
          signal: deadline.signal,
        });
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw error; // the caller cancelled: not a connectivity problem
        const reason = deadline.signal.aborted ? `no answer within ${timeout / 1000} s` : "the connection failed";
        throw new UnreachableError(`The API at ${root || "/"} cannot be reached (${reason}).`);
      }
      if (!response.ok) throw errorFromResponse(response, text);
      try {
        return parseJsonExact(text);
      } catch {
        const message = "The API answered with something that is not JSON.";
        throw new ApiError({ status: response.status, code: "bad_response", message });
      }
    } finally {
      deadline.release();
    }
  }

  /** A write, with the write token when there is one, asking for one when the API wants it. */
  async function write(path, options) {
    const token = writeToken?.current() ?? undefined;
    try {
      return await request("POST", path, { ...options, token });
    } catch (error) {
      if (!writeToken || !isTokenRefusal(error)) throw error;
      const renewed = await writeToken.renew(token, error.message);
      if (!renewed) throw error;
      try {
        return await request("POST", path, { ...options, token: renewed });
      } catch (retryError) {
        if (isTokenRefusal(retryError)) writeToken.forget(renewed);
        throw retryError;
      }
    }
  }

  return {
    base: root,
    stats: (options) => request("GET", "/stats", options),
    /** `digits` is the exact decimal text of the integer, so 64-bit values are not rounded. */
    sendCount: (digits, options) => write("/count", { ...options, body: `{"count":${digits}}` }),
    history: (window, options) => request("GET", `/history?window=${encodeURIComponent(window)}`, options),
    /** `/admin/...` with the operator's token; `body` is an object sent as JSON. */
    admin: (method, path, token, body) =>
      request(method, `/admin${path}`, {
        token,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeout: 30_000,
      }),
  };
}
