import { describe, expect, it } from "vitest";

import { describeUserAgent, isMobileAgent, timeAgo, toDevices } from "@/lib/devices";

const CHROME_LINUX =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const EDGE_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86";

describe("describeUserAgent", () => {
  it("names the browser with its major version and the operating system", () => {
    expect(describeUserAgent(CHROME_LINUX)).toBe("Chrome 131 on Linux");
    expect(describeUserAgent(SAFARI_IPHONE)).toBe("Safari 17 on iOS");
    expect(describeUserAgent(FIREFOX_WINDOWS)).toBe("Firefox 133 on Windows 10");
    expect(describeUserAgent(EDGE_MAC)).toBe("Microsoft Edge 131 on macOS Catalina");
  });

  it("says so when the user agent is missing or tells nothing", () => {
    expect(describeUserAgent("")).toBe("Unknown browser");
    expect(describeUserAgent("python-httpx/0.28.1")).toBe("Unknown browser");
  });

  it("tells phones from computers, for the icon", () => {
    expect(isMobileAgent(SAFARI_IPHONE)).toBe(true);
    expect(isMobileAgent(CHROME_LINUX)).toBe(false);
    expect(isMobileAgent("")).toBe(false);
  });
});

describe("toDevices", () => {
  const session = (id: string, updatedAt: string, userAgent = CHROME_LINUX) => ({
    id,
    token: `handle-${id}`,
    ipAddress: "203.0.113.7",
    userAgent,
    createdAt: "2026-11-01T10:00:00Z",
    updatedAt,
  });

  it("puts this device first, then the others by last activity, keeping each handle for revoke-session", () => {
    const devices = toDevices(
      [
        session("old", "2026-11-20T10:00:00Z"),
        session("mine", "2026-11-10T10:00:00Z"),
        session("recent", "2026-11-30T10:00:00Z", SAFARI_IPHONE),
      ],
      "mine",
    );
    expect(devices.map((d) => [d.id, d.current])).toEqual([
      ["mine", true],
      ["recent", false],
      ["old", false],
    ]);
    expect(devices[1]).toMatchObject({ handle: "handle-recent", label: "Safari 17 on iOS", mobile: true });
    expect(devices[1].lastActive).toEqual(new Date("2026-11-30T10:00:00Z"));
  });

  it("accepts the client's Date objects and nullable fields", () => {
    const [device] = toDevices(
      [{ id: "a", token: "a", ipAddress: null, userAgent: undefined, createdAt: new Date(0), updatedAt: new Date(1000) }],
      null,
    );
    expect(device).toMatchObject({ label: "Unknown browser", ipAddress: "", current: false });
  });
});

describe("timeAgo", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it("says how long ago in the largest whole unit", () => {
    expect(timeAgo(before(20), now)).toBe("just now");
    expect(timeAgo(before(5 * 60), now)).toBe("5 minutes ago");
    expect(timeAgo(before(3 * 3600 + 100), now)).toBe("3 hours ago");
    expect(timeAgo(before(86_400), now)).toBe("yesterday");
    expect(timeAgo(before(65 * 86_400), now)).toBe("2 months ago");
  });
});
