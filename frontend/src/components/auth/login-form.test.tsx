import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { LoginForm } from "@/components/auth/login-form";
import { AuthProvider } from "@/components/providers/auth-provider";
import { authClient, deferred, refetchSession, router } from "@/test/auth-mocks";

vi.mock("next/navigation", async () => {
  const mocks = await import("@/test/auth-mocks");
  return { useRouter: () => mocks.router };
});
vi.mock("@/lib/auth-client", async () => ({ authClient: (await import("@/test/auth-mocks")).authClient }));

function renderForm(props: Partial<Parameters<typeof LoginForm>[0]> = {}) {
  render(
    <AuthProvider>
      <LoginForm redirectTo="/dashboard" {...props} />
    </AuthProvider>,
  );
  return userEvent.setup();
}

async function fillAndSubmit(user: ReturnType<typeof userEvent.setup>, email = "ada@example.com") {
  await user.type(screen.getByLabelText("Email"), email);
  await user.type(screen.getByLabelText("Password"), "s3cret-pass");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("LoginForm", () => {
  beforeEach(() => vi.clearAllMocks());

  it("signs in and goes to the page the user came for", async () => {
    authClient.signIn.email.mockResolvedValue({ data: { token: "t" }, error: null });
    const user = renderForm();

    await fillAndSubmit(user);

    expect(authClient.signIn.email).toHaveBeenCalledWith({ email: "ada@example.com", password: "s3cret-pass" });
    expect(router.replace).toHaveBeenCalledWith("/dashboard");
    // The session store holds the user before the next page asks for it.
    expect(refetchSession.mock.invocationCallOrder[0]).toBeLessThan(router.replace.mock.invocationCallOrder[0]);
  });

  it("marks a malformed email at its field, moves focus there, and asks nothing of the server", async () => {
    const user = renderForm();

    await fillAndSubmit(user, "not-an-email");

    const email = screen.getByLabelText("Email");
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("Enter a valid email address, like name@example.com.");
    expect(email).toHaveFocus();
    expect(authClient.signIn.email).not.toHaveBeenCalled();
  });

  it("says a wrong email or password in plain words and puts focus back on the password", async () => {
    const pending = deferred<unknown>();
    authClient.signIn.email.mockReturnValue(pending.promise);
    const user = renderForm();

    await fillAndSubmit(user);
    expect(screen.getByRole("button", { name: "Signing in…" })).toBeDisabled();
    pending.resolve({ data: null, error: { code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password", status: 401 } });

    expect(await screen.findByRole("alert")).toHaveTextContent("That email and password do not match an account.");
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("says so when the server cannot be reached", async () => {
    authClient.signIn.email.mockRejectedValue(new TypeError("Failed to fetch"));
    const user = renderForm();

    await fillAndSubmit(user);

    expect(await screen.findByRole("alert")).toHaveTextContent("Could not reach the server");
  });

  it("explains a session that ended elsewhere, and shows the password on request", async () => {
    const user = renderForm({ notice: "You were signed out on another device." });

    expect(screen.getByRole("status")).toHaveTextContent("You were signed out on another device.");
    const password = screen.getByLabelText("Password");
    expect(password).toHaveAttribute("type", "password");
    await user.click(screen.getByRole("button", { name: "Show password" }));
    expect(password).toHaveAttribute("type", "text");
    expect(screen.getByRole("button", { name: "Hide password" })).toHaveAttribute("aria-pressed", "true");
  });

  it("offers “Forgot password?”, carrying the address typed so far", async () => {
    const user = renderForm();
    const link = screen.getByRole("link", { name: "Forgot password?" });
    expect(link).toHaveAttribute("href", "/forgot-password");

    await user.type(screen.getByLabelText("Email"), "ada@example.com");

    expect(link).toHaveAttribute("href", "/forgot-password?email=ada%40example.com");
  });
});
