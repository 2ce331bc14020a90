import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { SignupForm } from "@/components/auth/signup-form";
import { AuthProvider } from "@/components/providers/auth-provider";
import { authClient, deferred, router } from "@/test/auth-mocks";

vi.mock("next/navigation", async () => {
  const mocks = await import("@/test/auth-mocks");
  return { useRouter: () => mocks.router };
});
vi.mock("@/lib/auth-client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth-client")>()),
  authClient: (await import("@/test/auth-mocks")).authClient,
}));

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
}

describe("SignupForm", () => {
  beforeEach(() => vi.clearAllMocks());

  it("refuses passwords that do not match, without asking the server", async () => {
    await fill({ password: "long-enough", confirm: "long-enougH" });

    expect(screen.getByRole("alert")).toHaveTextContent("Passwords do not match.");
    expect(authClient.signUp.email).not.toHaveBeenCalled();
  });

  it("refuses a password shorter than 8 characters", async () => {
    await fill({ password: "short7!" });

    expect(screen.getByRole("alert")).toHaveTextContent("at least 8 characters");
    expect(authClient.signUp.email).not.toHaveBeenCalled();
  });

  it("creates the account, naming the user after the email when no name is given, and goes to /tasks", async () => {
    authClient.signUp.email.mockResolvedValue({ data: { token: "t" }, error: null });

    await fill();

    expect(authClient.signUp.email).toHaveBeenCalledWith({ name: "grace", email: "grace@example.com", password: "long-enough" });
    expect(router.replace).toHaveBeenCalledWith("/tasks");
  });

  it("is disabled while sending, then shows the server's message", async () => {
    const pending = deferred<unknown>();
    authClient.signUp.email.mockReturnValue(pending.promise);

    await fill({ name: "Grace Hopper" });

    expect(screen.getByRole("button", { name: "Creating account…" })).toBeDisabled();
    expect(authClient.signUp.email).toHaveBeenCalledWith(expect.objectContaining({ name: "Grace Hopper" }));
    pending.resolve({
      data: null,
      error: { message: "User already exists. Use another email.", status: 422, statusText: "Unprocessable Entity" },
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("User already exists. Use another email.");
    expect(screen.getByRole("button", { name: "Create account" })).toBeEnabled();
    expect(router.replace).not.toHaveBeenCalled();
  });
});
