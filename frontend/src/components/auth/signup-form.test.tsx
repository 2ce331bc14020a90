import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { SignupForm } from "@/components/auth/signup-form";
import { AuthProvider } from "@/components/providers/auth-provider";
import { authClient, router } from "@/test/auth-mocks";

vi.mock("next/navigation", async () => {
  const mocks = await import("@/test/auth-mocks");
  return { useRouter: () => mocks.router };
});
vi.mock("@/lib/auth-client", async () => ({ authClient: (await import("@/test/auth-mocks")).authClient }));

async function fill({ name = "", password = "long-enough", confirm }: { name?: string; password?: string; confirm?: string } = {}) {
  render(
    <AuthProvider>
      <SignupForm />
    </AuthProvider>,
  );
  const user = userEvent.setup();
  if (name) await user.type(screen.getByLabelText(/Name/), name);
  await user.type(screen.getByLabelText("Email"), "grace@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.type(screen.getByLabelText("Confirm password"), confirm ?? password);
  await user.click(screen.getByRole("button", { name: "Create account" }));
  return user;
}

describe("SignupForm", () => {
  beforeEach(() => vi.clearAllMocks());

  it("marks passwords that do not match at the confirmation, without asking the server", async () => {
    await fill({ password: "long-enough", confirm: "long-enougH" });

    const confirm = screen.getByLabelText("Confirm password");
    expect(confirm).toHaveAttribute("aria-invalid", "true");
    expect(confirm).toHaveAccessibleDescription("The passwords do not match.");
    expect(authClient.signUp.email).not.toHaveBeenCalled();
  });

  it("marks a password shorter than 8 characters at the password", async () => {
    await fill({ password: "short7!" });

    const password = screen.getByLabelText("Password");
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveFocus();
    expect(screen.getByText("Use at least 8 characters.")).toBeInTheDocument();
    expect(authClient.signUp.email).not.toHaveBeenCalled();
  });

  it("creates the account, naming the user after the email when no name is given, and goes to /tasks", async () => {
    // The verification email's link leads back to this app's /verify-email.
    authClient.signUp.email.mockResolvedValue({ data: { token: "t" }, error: null });

    await fill();

    expect(authClient.signUp.email).toHaveBeenCalledWith({
      name: "grace",
      email: "grace@example.com",
      password: "long-enough",
      callbackURL: `${window.location.origin}/verify-email`,
    });
    expect(router.replace).toHaveBeenCalledWith("/tasks");
  });

  it("puts a taken email at the email field with a way to sign in instead", async () => {
    authClient.signUp.email.mockResolvedValue({
      data: null,
      error: { code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", message: "User already exists. Use another email.", status: 422 },
    });

    await fill({ name: "Grace Hopper" });

    const email = await screen.findByText("An account with this email already exists.");
    expect(screen.getByLabelText("Email")).toHaveFocus();
    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription(email.textContent!);
    expect(screen.getByRole("link", { name: "Sign in instead" })).toHaveAttribute("href", "/login?email=grace%40example.com");
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("puts the server's refusal of a common password at the password field", async () => {
    authClient.signUp.email.mockResolvedValue({
      data: null,
      error: { code: "PASSWORD_COMPROMISED", message: "The password you entered has been compromised.", status: 400 },
    });

    await fill({ password: "password1234" });

    expect(await screen.findByText(/This password is too common/)).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
  });
});
