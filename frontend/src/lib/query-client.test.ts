import { describe, expect, it } from "vitest";

import { ApiError, SESSION_ENDED } from "@/lib/api";
import { shouldRetry } from "@/lib/query-client";

describe("shouldRetry", () => {
  it("retries a lost connection and a gateway's bad moment, twice", () => {
    for (const status of [0, 502, 503, 504]) {
      expect(shouldRetry(0, new ApiError("x", status))).toBe(true);
      expect(shouldRetry(1, new ApiError("x", status))).toBe(true);
      expect(shouldRetry(2, new ApiError("x", status))).toBe(false);
    }
  });

  it("never retries a 4xx, a 500, an ended session or an unknown error", () => {
    for (const status of [400, 401, 403, 404, 409, 422, 429, 500]) expect(shouldRetry(0, new ApiError("x", status))).toBe(false);
    expect(shouldRetry(0, new ApiError("x", 0, SESSION_ENDED))).toBe(false);
    expect(shouldRetry(0, new Error("boom"))).toBe(false);
  });
});
