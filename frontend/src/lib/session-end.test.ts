import { describe, expect, it } from "vitest";

import { parseSessionEndReason, sessionEndReason } from "@/lib/session-end";

describe("why a session ended", () => {
  it("is 'expired' past the session's expiry, else 'elsewhere' (revoked)", () => {
    expect(sessionEndReason(1_000, 2_000)).toBe("expired");
    expect(sessionEndReason(3_000, 2_000)).toBe("elsewhere");
    expect(sessionEndReason(null, 2_000)).toBe("elsewhere");
  });

  it("reads only the known reasons from the URL", () => {
    expect(parseSessionEndReason("elsewhere")).toBe("elsewhere");
    expect(parseSessionEndReason(["expired", "x"])).toBe("expired");
    expect(parseSessionEndReason("<script>")).toBeNull();
    expect(parseSessionEndReason(undefined)).toBeNull();
  });
});
