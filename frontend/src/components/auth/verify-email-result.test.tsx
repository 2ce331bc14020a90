import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { VerifyEmailResult } from "@/components/auth/verify-email-result";
import { AuthProvider } from "@/components/providers/auth-provider";
import { authClient } from "@/test/auth-mocks";

vi.mock("next/navigation", async () => {
  const mocks = await import("@/test/auth-mocks");
  return { useRouter: () => mocks.router };
});
vi.mock("@/lib/auth-client", async () => ({ authClient: (await import("@/test/auth-mocks")).authClient }));

function signedIn(emailVerified: boolean) {
  authClient.useSession.mockReturnValue({
    data: { user: { id: "u1", email: "ada@example.com", name: "Ada", emailVerified }, session: { id: "s1" } },
    isPending: false,
    isRefetching: false,
    error: null,
    refetch: vi.fn(),
  } as never);
}

function renderResult(error: string | null) {
  render(
    <AuthProvider>
      <VerifyEmailResult error={error} />
    </AuthProvider>,
  );
  return userEvent.setup();
}

describe("VerifyEmailResult", () => {
  beforeEach(() => vi.clearAllMocks());

  it("says the address is verified when the API sent no error", () => {
    signedIn(true);
    renderResult(null);

    expect(screen.getByRole("status")).toHaveTextContent("Your email is verified");
  });

  it("explains an expired link and, signed in, sends a new one back to this page", async () => {
    signedIn(false);
    authClient.sendVerificationEmail.mockResolvedValue({ data: { status: true }, error: null });
    const user = renderResult("TOKEN_EXPIRED");

    expect(screen.getByText("This link has expired: a verification link works for 24 hours.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Send a new link" }));

    expect(authClient.sendVerificationEmail).toHaveBeenCalledWith({
      email: "ada@example.com",
      callbackURL: `${window.location.origin}/verify-email`,
    });
    expect(await screen.findByText("We sent a new link to ada@example.com.")).toBeInTheDocument();
  });

  it("tells a used link apart from a problem when the address is verified already", () => {
    signedIn(true);
    renderResult("INVALID_TOKEN");

    expect(screen.getByText("Your email is already verified")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Send a new link" })).not.toBeInTheDocument();
  });

  it("asks a signed-out visitor with a bad link to sign in for a new one", () => {
    authClient.useSession.mockReturnValue({ data: null, isPending: false, isRefetching: false, error: null, refetch: vi.fn() });
    renderResult("INVALID_TOKEN");

    expect(screen.getByText("This link is invalid or was already used.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login?redirect=/settings");
  });
});
