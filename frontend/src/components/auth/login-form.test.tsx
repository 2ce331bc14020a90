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
vi.mock("@/lib/auth-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth-client")>()),
  authClient: (await import("@/test/auth-mocks")).authClient,
}));

function renderForm() {
  render(
    <AuthProvider>
      <LoginForm redirectTo="/dashboard" />
    </AuthProvider>,
  );
  return userEvent.setup();
}

async function fillAndSubmit(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
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

  it("is disabled while sending", async () => {
    const pending = deferred<{ data: null; error: { message: string; status: number; statusText: string } }>();
    authClient.signIn.email.mockReturnValue(pending.promise);
    const user = renderForm();

    await fillAndSubmit(user);

    expect(screen.getByRole("button", { name: "Signing in…" })).toBeDisabled();
    expect(screen.getByLabelText("Email")).toBeDisabled();
    pending.resolve({ data: null, error: { message: "Invalid email or password", status: 401, statusText: "Unauthorized" } });
    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid email or password");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("shows the server's message, or its detail when there is no message", async () => {
    authClient.signIn.email.mockResolvedValue({
      data: null,
      error: { detail: "Account is disabled", code: "account_disabled", status: 403, statusText: "Forbidden" },
    });
    const user = renderForm();

    await fillAndSubmit(user);

    expect(await screen.findByRole("alert")).toHaveTextContent("Account is disabled");
  });

  it("says so when the server cannot be reached", async () => {
    authClient.signIn.email.mockRejectedValue(new TypeError("Failed to fetch"));
    const user = renderForm();

    await fillAndSubmit(user);

    expect(await screen.findByRole("alert")).toHaveTextContent("Could not reach the server");
  });
});
