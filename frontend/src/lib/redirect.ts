/** The `?redirect=` target if it is a path on this site, else `fallback` (no open redirects). */
export function safeRedirect(value: string | string[] | undefined | null, fallback = "/tasks"): string {
  const target = Array.isArray(value) ? value[0] : value;
  if (!target || !target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) return fallback;
  return target;
}
