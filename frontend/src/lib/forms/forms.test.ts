import { describe, expect, it } from "vitest";

import { ApiError, NETWORK_ERROR } from "@/lib/api";
import {
  changePasswordSchema,
  deleteAccountSchema,
  forgotPasswordSchema,
  profileSchema,
  resetPasswordSchema,
  signInSchema,
  signUpSchema,
  taskSchema,
} from "@/lib/forms/schemas";
import { accountProblem, apiProblem, authProblem, TOO_MANY_REQUESTS } from "@/lib/forms/server-errors";

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));

describe("the shared schemas", () => {
  it("check sign-in for an email and a password", () => {
    expect(issues(signInSchema.safeParse({ email: "nope", password: "" }))).toEqual({
      email: "Enter a valid email address, like name@example.com.",
      password: "Enter your password.",
    });
    expect(signInSchema.parse({ email: "  ada@example.com ", password: "x" }).email).toBe("ada@example.com");
  });

  it("check a new password's length and its confirmation", () => {
    const base = { name: "", email: "ada@example.com" };
    expect(issues(signUpSchema.safeParse({ ...base, password: "short", confirmPassword: "short" }))).toEqual({
      password: "Use at least 8 characters.",
    });
    expect(issues(signUpSchema.safeParse({ ...base, password: "x".repeat(129), confirmPassword: "x".repeat(129) }))).toEqual({
      password: "Use at most 128 characters.",
    });
    expect(issues(signUpSchema.safeParse({ ...base, password: "long-enough", confirmPassword: "long-enougH" }))).toEqual({
      confirmPassword: "The passwords do not match.",
    });
  });

  it("check a task: a trimmed title, a priority, a date or nothing", () => {
    const ok = { title: "  Buy milk ", description: "", priority: "high", dueDate: "2026-12-01" };
    expect(taskSchema.parse(ok)).toEqual({ ...ok, title: "Buy milk" });
    expect(issues(taskSchema.safeParse({ ...ok, title: "   ", dueDate: "tomorrow" }))).toEqual({
      title: "Give the task a title.",
      dueDate: "Pick a date, or leave it empty.",
    });
    expect(taskSchema.safeParse({ ...ok, dueDate: "" }).success).toBe(true);
  });
});

describe("server errors in plain words, at their field", () => {
  it("maps Better Auth's codes onto the sign-up and sign-in fields", () => {
    expect(authProblem({ code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", status: 422 })).toEqual({
      field: "email",
      message: "An account with this email already exists.",
      signInInstead: true,
    });
    expect(authProblem({ code: "PASSWORD_COMPROMISED", status: 400 }).field).toBe("password");
    expect(authProblem({ code: "PASSWORD_TOO_SHORT", status: 400 })).toEqual({ field: "password", message: "Use at least 8 characters." });
    expect(authProblem({ code: "VALIDATION_ERROR", message: "[body.email] Invalid email address", status: 400 })).toEqual({
      field: "email",
      message: "Enter a valid email address, like name@example.com.",
    });
  });

  it("keeps what names no field at the form: a wrong password, a rate limit, no connection", () => {
    expect(authProblem({ code: "INVALID_EMAIL_OR_PASSWORD", status: 401 }).field).toBeNull();
    expect(authProblem({ status: 429, message: "Too many requests." }).message).toBe("Too many attempts. Wait a minute, then try again.");
    expect(authProblem({ status: 0 })).toEqual({ field: null, message: NETWORK_ERROR });
    expect(authProblem({ status: 503, detail: "Down for a moment" }).message).toBe("Down for a moment");
  });

  it("maps a tasks API 422 onto the form field its loc names", () => {
    const error = new ApiError("Field 'due_date': bad", 422, "validation_error", "r", [
      { loc: ["body", "due_date"], msg: "must be an ISO 8601 date", type: "value_error" },
    ]);
    expect(apiProblem(error, { due_date: "dueDate" })).toEqual({ field: "dueDate", message: "Must be an ISO 8601 date." });
    expect(apiProblem(new ApiError("Task not found", 404), { title: "title" })).toEqual({ field: null, message: "Task not found" });
  });
});

describe("the account forms' schemas", () => {
  it("check the reset request's email and the new password with its confirmation", () => {
    expect(issues(forgotPasswordSchema.safeParse({ email: "" }))).toEqual({ email: "Enter your email address." });
    expect(issues(resetPasswordSchema.safeParse({ password: "short", confirmPassword: "short" }))).toEqual({
      password: "Use at least 8 characters.",
    });
    expect(issues(resetPasswordSchema.safeParse({ password: "long-enough", confirmPassword: "other" }))).toEqual({
      confirmPassword: "The passwords do not match.",
    });
  });

  it("check a password change: the current one given, a new one that differs and is confirmed", () => {
    const ok = { currentPassword: "old-secret", password: "new-secret", confirmPassword: "new-secret", signOutOthers: true };
    expect(changePasswordSchema.safeParse(ok).success).toBe(true);
    expect(issues(changePasswordSchema.safeParse({ ...ok, currentPassword: "" }))).toEqual({
      currentPassword: "Enter your password.",
    });
    expect(
      issues(changePasswordSchema.safeParse({ ...ok, password: "old-secret", confirmPassword: "old-secret" })),
    ).toEqual({ password: "Choose a password different from the current one." });
  });

  it("check the name's length and that deleting asks for the password", () => {
    expect(profileSchema.parse({ name: "  Ada  " }).name).toBe("Ada");
    expect(issues(profileSchema.safeParse({ name: "x".repeat(101) }))).toEqual({ name: "Use at most 100 characters." });
    expect(issues(deleteAccountSchema.safeParse({ password: "" }))).toEqual({ password: "Enter your password." });
  });
});

describe("account errors in plain words, at their field", () => {
  it("puts a wrong current password, a refused new one and a dead link where they belong", () => {
    expect(accountProblem({ code: "INVALID_PASSWORD", status: 400 })).toEqual({
      field: "currentPassword",
      message: "That is not your current password.",
    });
    expect(accountProblem({ code: "PASSWORD_COMPROMISED", status: 400 }).field).toBe("password");
    expect(accountProblem({ code: "TOKEN_EXPIRED", status: 400 }).field).toBe("token");
    expect(accountProblem({ code: "INVALID_TOKEN", status: 400 }).field).toBe("token");
    expect(accountProblem({ code: "VALIDATION_ERROR", message: "[body.newPassword] Too small", status: 400 }).field).toBe(
      "password",
    );
  });

  it("answers a rate limit politely, and an unreachable server as such", () => {
    expect(accountProblem({ status: 429, message: "Too many requests" })).toEqual({ field: null, message: TOO_MANY_REQUESTS });
    expect(accountProblem({ status: 0 })).toEqual({ field: null, message: NETWORK_ERROR });
  });
});
