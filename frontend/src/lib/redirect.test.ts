import { describe, expect, it } from "vitest";

import { safeRedirect } from "@/lib/redirect";

describe("safeRedirect", () => {
  it("keeps paths on this site", () => {
    expect(safeRedirect("/dashboard?x=1")).toBe("/dashboard?x=1");
    expect(safeRedirect(["/settings", "/tasks"])).toBe("/settings");
  });

  it("refuses other sites and falls back to /tasks", () => {
    for (const target of ["https://evil.test", "//evil.test", "/\\evil.test", "", undefined, null]) {
      expect(safeRedirect(target)).toBe("/tasks");
    }
  });
});
