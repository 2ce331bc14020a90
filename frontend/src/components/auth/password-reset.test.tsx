import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { AuthProvider } from "@/components/providers/auth-provider";
import { authClient } from "@/test/auth-mocks";

vi.mock("next/navigation", async () => {
  const mocks = await import("@/test/auth-mocks");
  return { useRouter: () => mocks.router };
});
vi.mock("@/lib/auth-client", async () => ({ authClient: (await import("@/test/auth-mocks")).authClient }));

function renderIn(children: React.ReactNode) {
  render(<AuthProvider>{children}</AuthProvider>);
  return userEvent.setup();
}

describe("ForgotPasswordForm", () => {
  beforeEach(() => vi.clearAllMocks());

  it("asks for a link back to this app's reset page and says the same whatever the address", async () => {
    authClient.requestPasswordReset.mockResolvedValue({ data: { status: true }, error: null });
    const user = renderIn(<ForgotPasswordForm />);

    await user.type(screen.getByLabelText("Email"), "nobody@example.com");
    await user.click(screen.getByRole("button", { name: "Email me a reset link" }));

    expect(authClient.requestPasswordReset).toHaveBeenCalledWith({
      email: "nobody@example.com",
      redirectTo: `${window.location.origin}/reset-password`,
    });
    const status = screen.getByRole("status");
    expect(status).toHaveTextContent("If an account uses nobody@example.com, we have sent it a link");
    await vi.waitFor(() => expect(status).toHaveFocus());
  });

  it("marks a malformed email at its field without asking the server", async () => {
    const user = renderIn(<ForgotPasswordForm />);

    await user.type(screen.getByLabelText("Email"), "nope");
    await user.click(screen.getByRole("button", { name: "Email me a reset link" }));

    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    expect(authClient.requestPasswordReset).not.toHaveBeenCalled();
  });

  it("answers a rate limit politely", async () => {
    authClient.requestPasswordReset.mockResolvedValue({ data: null, error: { status: 429, message: "Too many requests" } });
    const user = renderIn(<ForgotPasswordForm email="ada@example.com" />);

    await user.click(screen.getByRole("button", { name: "Email me a reset link" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Wait a minute, then try again.");
  });
});

// Typing two passwords (the strength meter checks each keystroke) takes seconds on a busy machine.
describe("ResetPasswordForm", { timeout: 30_000 }, () => {
  beforeEach(() => vi.clearAllMocks());

  it("sets the new password with the emailed token, then signs this browser out and offers sign-in", async () => {
    authClient.resetPassword.mockResolvedValue({ data: { status: true }, error: null });
    authClient.signOut.mockResolvedValue({ data: { success: true }, error: null });
    const user = renderIn(<ResetPasswordForm token="tok123" />);

    await user.type(screen.getByLabelText("New password"), "a brand new passphrase");
    await user.type(screen.getByLabelText("Confirm new password"), "a brand new passphrase");
    await user.click(screen.getByRole("button", { name: "Set new password" }));

    expect(authClient.resetPassword).toHaveBeenCalledWith({ newPassword: "a brand new passphrase", token: "tok123" });
    expect(authClient.signOut).toHaveBeenCalled();
    expect(await screen.findByText("Your password is changed")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login");
  });

  it("explains a link the API refused, with a way to ask for a new one", async () => {
    authClient.resetPassword.mockResolvedValue({ data: null, error: { status: 400, code: "INVALID_TOKEN", message: "Invalid token" } });
    const user = renderIn(<ResetPasswordForm token="used" />);

    await user.type(screen.getByLabelText("New password"), "a brand new passphrase");
    await user.type(screen.getByLabelText("Confirm new password"), "a brand new passphrase");
    await user.click(screen.getByRole("button", { name: "Set new password" }));

    expect(await screen.findByText("This reset link cannot be used")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Request a new link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("shows the expired state at once when the link came without a token", () => {
    renderIn(<ResetPasswordForm token={null} />);

    expect(screen.getByText("This reset link cannot be used")).toBeInTheDocument();
    expect(screen.queryByLabelText("New password")).not.toBeInTheDocument();
  });

  it("puts a common password's refusal on the new password field", async () => {
    authClient.resetPassword.mockResolvedValue({ data: null, error: { status: 400, code: "PASSWORD_COMPROMISED" } });
    const user = renderIn(<ResetPasswordForm token="tok123" />);

    await user.type(screen.getByLabelText("New password"), "password1234");
    await user.type(screen.getByLabelText("Confirm new password"), "password1234");
    await user.click(screen.getByRole("button", { name: "Set new password" }));

    const field = await screen.findByLabelText("New password");
    await vi.waitFor(() => expect(field).toHaveAttribute("aria-invalid", "true"));
    expect(field).toHaveFocus();
  });
});
