/**
 * Base URL of the gateway, which serves both Better Auth (`/api/auth/*`) and the tasks API.
 * Inlined at `next build` time: changing it needs a rebuild. It must use the same host name
 * as the app (e.g. both `localhost`), or the browser drops the session cookie.
 */
export const API_URL = process.env.NEXT_PUBLIC_API_URL || "http://localhost:8000";
