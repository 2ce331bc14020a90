import { ApiError, NETWORK_ERROR } from "@/lib/api";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/forms/schemas";

/** A refusal from the server, said in plain words and placed on the field it is about (null: the whole form). */
export interface ServerProblem<Field extends string> {
  field: Field | null;
  message: string;
  /** The email is taken: offer "Sign in instead". */
  signInInstead?: boolean;
}

/** What the Better Auth client returns as `error` (our auth service adds `detail`). */
export interface AuthClientError {
  code?: string;
  message?: string;
  detail?: unknown;
  status: number;
}

type AuthField = "name" | "email" | "password";

const FIELD_WORDS: Record<AuthField, string> = {
  name: `Use at most 100 characters.`,
  email: "Enter a valid email address, like name@example.com.",
  password: `Use ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`,
};

/** Map a Better Auth error (codes as in WIRE.md) onto a sign-in or sign-up field. */
export function authProblem(error: AuthClientError | null | undefined): ServerProblem<AuthField> {
  if (!error || error.status === 0) return { field: null, message: NETWORK_ERROR };
  switch (error.code) {
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return { field: "email", message: "An account with this email already exists.", signInInstead: true };
    case "PASSWORD_COMPROMISED":
      return {
        field: "password",
        message: "This password is too common: it appears in lists of leaked passwords. Choose a different one.",
      };
    case "PASSWORD_TOO_SHORT":
      return { field: "password", message: `Use at least ${PASSWORD_MIN} characters.` };
    case "PASSWORD_TOO_LONG":
      return { field: "password", message: `Use at most ${PASSWORD_MAX} characters.` };
    case "INVALID_EMAIL":
      return { field: "email", message: FIELD_WORDS.email };
    case "INVALID_EMAIL_OR_PASSWORD":
      return { field: null, message: "That email and password do not match an account. Check both and try again." };
    case "VALIDATION_ERROR": {
      // "[body.email] Invalid email address": name the field, in our words rather than the validator's.
      const field = /^\[body\.(\w+)\]/.exec(error.message ?? "")?.[1];
      if (field === "name" || field === "email" || field === "password") return { field, message: FIELD_WORDS[field] };
      break;
    }
  }
  if (error.status === 429) return { field: null, message: "Too many attempts. Wait a minute, then try again." };
  const text = error.message || (typeof error.detail === "string" ? error.detail : "");
  return { field: null, message: text || `Something went wrong (HTTP ${error.status}). Please try again.` };
}

/** Map a tasks API error onto one of `fields` when its 422 names one (by the last part of `loc`). */
export function apiProblem<Field extends string>(error: unknown, fields: Record<string, Field>): ServerProblem<Field> {
  if (error instanceof ApiError) {
    for (const failed of error.fields) {
      const field = fields[String(failed.loc.at(-1))];
      if (field) return { field, message: `${failed.msg.charAt(0).toUpperCase()}${failed.msg.slice(1)}.` };
    }
    return { field: null, message: error.message };
  }
  return { field: null, message: error instanceof Error && error.message ? error.message : "Something went wrong." };
}

type AccountField = "name" | "email" | "currentPassword" | "password" | "token";

/** The words for a 429 on the routes that send email or check a password (per address and per IP). */
export const TOO_MANY_REQUESTS = "That was asked for several times in a short while. Wait a minute, then try again.";

/**
 * Map a Better Auth error from the account routes (WIRE-ACCOUNT.md) onto the account forms' fields: the current
 * password, the new one, the name, or the emailed link (`token`: invalid, used or expired).
 */
export function accountProblem(error: AuthClientError | null | undefined): ServerProblem<AccountField> {
  switch (error?.code) {
    case "INVALID_PASSWORD":
      return { field: "currentPassword", message: "That is not your current password." };
    case "INVALID_TOKEN":
    case "TOKEN_EXPIRED":
      return { field: "token", message: "This link is invalid, already used, or expired." };
    case "VALIDATION_ERROR": {
      const field = /^\[body\.(\w+)\]/.exec(error.message ?? "")?.[1];
      if (field === "newPassword") return { field: "password", message: FIELD_WORDS.password };
      if (field === "currentPassword") return { field: "currentPassword", message: "Enter your password." };
      break;
    }
  }
  if (error?.status === 429) return { field: null, message: TOO_MANY_REQUESTS };
  return authProblem(error);
}
