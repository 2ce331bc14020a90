import { describe, expect, it, vi } from "vitest";

import { createAccessTokenSource, jwtExpiry } from "@/lib/access-token";
import { fakeJwt } from "@/test/fixtures";

describe("jwtExpiry", () => {
  it("reads exp from the payload, in milliseconds", () => {
    expect(jwtExpiry(fakeJwt(1_800_000_000))).toBe(1_800_000_000_000);
  });

  it("returns null for something that is not a JWT", () => {
    expect(jwtExpiry("opaque-token")).toBeNull();
    expect(jwtExpiry("a.!!!.c")).toBeNull();
  });
});

describe("createAccessTokenSource", () => {
  const start = 1_800_000_000_000;

  it("caches the token until shortly before it expires", async () => {
    let now = start;
    const first = fakeJwt(start / 1000 + 900);
    const second = fakeJwt(start / 1000 + 1800);
    const fetchToken = vi.fn().mockResolvedValueOnce(first).mockResolvedValueOnce(second);
    const source = createAccessTokenSource(fetchToken, () => now);

    expect(await source.get()).toBe(first);
    now = start + 800_000;
    expect(await source.get()).toBe(first);
    expect(fetchToken).toHaveBeenCalledTimes(1);

    now = start + 880_000; // inside the 30 s margin before exp
    expect(await source.get()).toBe(second);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it("shares one request between concurrent callers", async () => {
    const fetchToken = vi.fn().mockResolvedValue(fakeJwt(start / 1000 + 900));
    const source = createAccessTokenSource(fetchToken, () => start);

    const [a, b] = await Promise.all([source.get(), source.get()]);
    expect(a).toBe(b);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it("fetches again after clear(), and does not cache a token without exp", async () => {
    const fetchToken = vi.fn().mockResolvedValueOnce(fakeJwt(start / 1000 + 900)).mockResolvedValue("opaque");
    const source = createAccessTokenSource(fetchToken, () => start);

    await source.get();
    source.clear();
    expect(await source.get()).toBe("opaque");
    expect(await source.get()).toBe("opaque");
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });

  it("does not cache a failure", async () => {
    const fetchToken = vi.fn().mockRejectedValueOnce(new Error("down")).mockResolvedValue(fakeJwt(start / 1000 + 900));
    const source = createAccessTokenSource(fetchToken, () => start);

    await expect(source.get()).rejects.toThrow("down");
    await expect(source.get()).resolves.toContain(".");
  });
});
