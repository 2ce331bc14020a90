import Bowser from "bowser";

import type { components } from "@/lib/api-schema/auth";

/**
 * One signed-in session as `list-sessions` gives it (generated from auth's OpenAPI). The Better Auth client turns
 * its dates into `Date`s and types the optional fields as nullable, so both shapes are accepted.
 */
type ListedSession = components["schemas"]["BetterAuthSession"];
export type DeviceSession = Pick<ListedSession, "id" | "token"> & {
  ipAddress?: ListedSession["ipAddress"] | null;
  userAgent?: ListedSession["userAgent"] | null;
  createdAt: Date | ListedSession["createdAt"];
  updatedAt: Date | ListedSession["updatedAt"];
};

export interface Device {
  id: string;
  /** What `revoke-session` takes back: a non-secret handle, passed on unchanged. */
  handle: string;
  /** "Chrome 131 on macOS", or "Unknown browser" when the user agent says nothing useful. */
  label: string;
  /** A phone or tablet, for the icon. */
  mobile: boolean;
  ipAddress: string;
  lastActive: Date;
  signedInAt: Date;
  current: boolean;
}

/** Browser (with its major version) and operating system, in words, from a User-Agent header. */
export function describeUserAgent(userAgent: string): string {
  if (!userAgent.trim()) return "Unknown browser";
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split(".")[0];
  const browser = parsed.browser.name ? [parsed.browser.name, major].filter(Boolean).join(" ") : "Unknown browser";
  const os = parsed.os.name ? [parsed.os.name, parsed.os.versionName].filter(Boolean).join(" ") : "";
  return os ? `${browser} on ${os}` : browser;
}

export function isMobileAgent(userAgent: string): boolean {
  const type = userAgent.trim() ? Bowser.parse(userAgent).platform.type : undefined;
  return type === "mobile" || type === "tablet";
}

/** The list to show: this device first, then the others, most recently active first. */
export function toDevices(sessions: DeviceSession[], currentSessionId: string | null | undefined): Device[] {
  const devices = sessions.map<Device>((s) => ({
    id: s.id,
    handle: s.token,
    label: describeUserAgent(s.userAgent ?? ""),
    mobile: isMobileAgent(s.userAgent ?? ""),
    ipAddress: s.ipAddress ?? "",
    lastActive: new Date(s.updatedAt),
    signedInAt: new Date(s.createdAt),
    current: s.id === currentSessionId,
  }));
  return devices.sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastActive.getTime() - a.lastActive.getTime(),
  );
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/** "just now", "5 minutes ago", "yesterday", "3 months ago". */
export function timeAgo(date: Date, now: Date = new Date()): string {
  const seconds = (now.getTime() - date.getTime()) / 1000;
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return relative.format(-Math.floor(seconds / size), unit);
  }
  return "just now";
}
