// zod's tree-shakable build: the classic one is ~45 kB (gzip) of every page that has a form.
import { z } from "zod/mini";

/**
 * The rules every form checks before asking the server, in one place: sign-in, sign-up, the task form, and
 * the password forms of the account pages (`newPasswordSchema`, `passwordsMatch`). The server checks
 * again; its refusals are mapped onto the same fields by `server-errors.ts`.
 */

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 100;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;

export const emailSchema = z.pipe(
  z.string().check(z.trim(), z.minLength(1, { error: "Enter your email address." })),
  z.email({ error: "Enter a valid email address, like name@example.com." }),
);

/** A password being checked, not chosen: any non-empty text. */
export const currentPasswordSchema = z.string().check(z.minLength(1, { error: "Enter your password." }));

/** A password being chosen (sign-up, change, reset). The server also refuses common ones. */
export const newPasswordSchema = z
  .string()
  .check(
    z.minLength(PASSWORD_MIN, { error: `Use at least ${PASSWORD_MIN} characters.` }),
    z.maxLength(PASSWORD_MAX, { error: `Use at most ${PASSWORD_MAX} characters.` }),
  );

/** A "confirm password" field must repeat `password`: `z.object({…}).check(z.refine(passwordsMatch, CONFIRM_MISMATCH))`. */
export const passwordsMatch = (values: { password: string; confirmPassword: string }) =>
  values.password === values.confirmPassword;

export const CONFIRM_MISMATCH = { path: ["confirmPassword"], error: "The passwords do not match." };

export const signInSchema = z.object({ email: emailSchema, password: currentPasswordSchema });

export const signUpSchema = z
  .object({
    name: z.string().check(z.trim(), z.maxLength(NAME_MAX, { error: `Use at most ${NAME_MAX} characters.` })),
    email: emailSchema,
    password: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .check(z.refine(passwordsMatch, CONFIRM_MISMATCH));

/** The display name on Settings: optional, as at sign-up. */
export const profileSchema = z.object({
  name: z.string().check(z.trim(), z.maxLength(NAME_MAX, { error: `Use at most ${NAME_MAX} characters.` })),
});

export const forgotPasswordSchema = z.object({ email: emailSchema });

export const resetPasswordSchema = z
  .object({ password: newPasswordSchema, confirmPassword: z.string() })
  .check(z.refine(passwordsMatch, CONFIRM_MISMATCH));

export const changePasswordSchema = z
  .object({
    currentPassword: currentPasswordSchema,
    password: newPasswordSchema,
    confirmPassword: z.string(),
    signOutOthers: z.boolean(),
  })
  .check(
    z.refine(passwordsMatch, CONFIRM_MISMATCH),
    z.refine((v) => v.password !== v.currentPassword, {
      path: ["password"],
      error: "Choose a password different from the current one.",
    }),
  );

export const deleteAccountSchema = z.object({ password: currentPasswordSchema });

export const PRIORITY_VALUES = ["low", "medium", "high"] as const;

export const taskSchema = z.object({
  title: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, { error: "Give the task a title." }),
      z.maxLength(TITLE_MAX, { error: `Keep the title under ${TITLE_MAX + 1} characters.` }),
    ),
  description: z.string().check(z.trim(), z.maxLength(DESCRIPTION_MAX, { error: "The description is too long." })),
  priority: z.enum(PRIORITY_VALUES),
  /** `YYYY-MM-DD` from a date input, or "" for none. */
  dueDate: z.union([z.literal(""), z.iso.date({ error: "Pick a date, or leave it empty." })]),
});

export type SignInValues = z.output<typeof signInSchema>;
export type SignUpValues = z.output<typeof signUpSchema>;
export type TaskValues = z.output<typeof taskSchema>;
export type ProfileValues = z.output<typeof profileSchema>;
export type ForgotPasswordValues = z.output<typeof forgotPasswordSchema>;
export type ResetPasswordValues = z.output<typeof resetPasswordSchema>;
export type ChangePasswordValues = z.output<typeof changePasswordSchema>;
export type DeleteAccountValues = z.output<typeof deleteAccountSchema>;
