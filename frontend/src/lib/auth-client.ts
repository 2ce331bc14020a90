import { createAuthClient } from "better-auth/react";

import { API_URL } from "@/lib/config";

export const authClient = createAuthClient({ baseURL: API_URL });

export type SessionUser = typeof authClient.$Infer.Session.user;

/** The error part of a Better Auth client result; our gateway adds `detail` to Better Auth's `message`. */
type AuthClientError = { message?: string; detail?: unknown; status: number; statusText: string };

/** Turn a Better Auth client error into one sentence for the user. */
export function describeAuthError(error: AuthClientError): string {
  if (error.message) return error.message;
  if (typeof error.detail === "string" && error.detail) return error.detail;
  if (error.status === 429) return "Too many attempts. Please wait a moment and try again.";
  return `Something went wrong (${error.status || "network error"}). Please try again.`;
}
