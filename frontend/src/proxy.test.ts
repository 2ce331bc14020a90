import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";

import { proxy } from "@/proxy";

function visit(path: string, cookie?: string) {
  const request = new NextRequest(`http://localhost:3000${path}`, { headers: cookie ? { cookie } : {} });
  const response = proxy(request);
  return { status: response.status, location: response.headers.get("location") };
}

describe("proxy", () => {
  it("sends signed-out visitors of protected pages to /login with the page to come back to", () => {
    expect(visit("/tasks")).toEqual({ status: 307, location: "http://localhost:3000/login?redirect=%2Ftasks" });
    expect(visit("/settings/profile?tab=1").location).toBe(
      "http://localhost:3000/login?redirect=%2Fsettings%2Fprofile%3Ftab%3D1",
    );
    expect(visit("/dashboard").location).toContain("/login?redirect=%2Fdashboard");
  });

  it("lets signed-in users through, with either cookie name", () => {
    expect(visit("/tasks", "better-auth.session_token=abc.sig").location).toBeNull();
    expect(visit("/dashboard", "__Secure-better-auth.session_token=abc.sig").location).toBeNull();
  });

  it("sends signed-in users from the guest pages to /tasks", () => {
    for (const path of ["/", "/login", "/signup"]) {
      expect(visit(path, "better-auth.session_token=abc.sig").location).toBe("http://localhost:3000/tasks");
    }
    expect(visit("/login").location).toBeNull();
  });
});
