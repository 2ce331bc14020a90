import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { AuthProvider } from "@/components/providers/auth-provider";
import { ChangePasswordForm } from "@/components/settings/change-password-form";
import { DeleteAccountDialog } from "@/components/settings/delete-account-dialog";
import { DevicesList } from "@/components/settings/devices-card";
import { authClient } from "@/test/auth-mocks";

vi.mock("next/navigation", async () => {
  const mocks = await import("@/test/auth-mocks");
  return { useRouter: () => mocks.router };
});
vi.mock("@/lib/auth-client", async () => ({ authClient: (await import("@/test/auth-mocks")).authClient }));

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

function renderIn(children: ReactNode) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>{children}</AuthProvider>
    </QueryClientProvider>,
  );
  return userEvent.setup();
}

function signedInAs(sessionId: string) {
  authClient.useSession.mockReturnValue({
    data: { user: { id: "u1", email: "ada@example.com", name: "Ada" }, session: { id: sessionId } },
    isPending: false,
    isRefetching: false,
    error: null,
    refetch: vi.fn(),
  } as never);
}

// Typing three passwords (the strength meter checks each keystroke) takes seconds on a busy machine.
describe("ChangePasswordForm", { timeout: 30_000 }, () => {
  beforeEach(() => vi.clearAllMocks());

  async function submit(user: ReturnType<typeof userEvent.setup>) {
    await user.type(screen.getByLabelText("Current password"), "old passphrase");
    await user.type(screen.getByLabelText("New password"), "a brand new passphrase");
    await user.type(screen.getByLabelText("Confirm new password"), "a brand new passphrase");
    await user.click(screen.getByRole("button", { name: "Change password" }));
  }

  it("changes the password and signs the other devices out unless the box is cleared", async () => {
    authClient.changePassword.mockResolvedValue({ data: { token: null }, error: null });
    const user = renderIn(<ChangePasswordForm email="ada@example.com" name="Ada" />);

    expect(screen.getByLabelText("Sign out other devices")).toBeChecked();
    await submit(user);

    expect(authClient.changePassword).toHaveBeenCalledWith({
      currentPassword: "old passphrase",
      newPassword: "a brand new passphrase",
      revokeOtherSessions: true,
    });
    expect(await screen.findByText("Your password is changed, and your other devices are signed out.")).toBeInTheDocument();
    expect(screen.getByLabelText("Current password")).toHaveValue("");

    await user.click(screen.getByLabelText("Sign out other devices"));
    await submit(user);
    expect(authClient.changePassword).toHaveBeenLastCalledWith(expect.objectContaining({ revokeOtherSessions: false }));
  });

  it("puts a wrong current password at its field and moves focus there", async () => {
    authClient.changePassword.mockResolvedValue({ data: null, error: { status: 400, code: "INVALID_PASSWORD" } });
    const user = renderIn(<ChangePasswordForm email="ada@example.com" name="Ada" />);

    await submit(user);

    const current = screen.getByLabelText("Current password");
    await vi.waitFor(() => expect(current).toHaveAttribute("aria-invalid", "true"), { timeout: 5000 });
    expect(current).toHaveAccessibleDescription("That is not your current password.");
    expect(current).toHaveFocus();
  });
});

describe("DevicesList", () => {
  beforeEach(() => vi.clearAllMocks());

  it("lists the devices with this one first and marked, and signs another out by its handle", async () => {
    signedInAs("s-mine");
    const at = "2026-11-30T10:00:00Z";
    authClient.listSessions.mockResolvedValue({
      data: [
        { id: "s-other", token: "handle-other", ipAddress: "198.51.100.4", userAgent: FIREFOX_WINDOWS, createdAt: at, updatedAt: at },
        { id: "s-mine", token: "handle-mine", ipAddress: "203.0.113.7", userAgent: CHROME_LINUX, createdAt: at, updatedAt: at },
      ],
      error: null,
    });
    authClient.revokeSession.mockResolvedValue({ data: { status: true }, error: null });
    const user = renderIn(<DevicesList />);

    const list = await screen.findByRole("list", { name: "Signed-in devices" });
    const [mine, other] = within(list).getAllByRole("listitem");
    expect(mine).toHaveTextContent("Chrome 131 on Linux");
    expect(mine).toHaveTextContent("This device");
    expect(mine).toHaveTextContent("IP 203.0.113.7");
    expect(within(mine).queryByRole("button")).not.toBeInTheDocument();
    expect(other).toHaveTextContent("Firefox 133 on Windows 10");

    await user.click(within(other).getByRole("button", { name: "Sign out Firefox 133 on Windows 10" }));

    expect(authClient.revokeSession).toHaveBeenCalledWith({ token: "handle-other" });
    await vi.waitFor(() => expect(authClient.listSessions).toHaveBeenCalledTimes(2));
  });

  it("signs out every other device at once", async () => {
    signedInAs("s-mine");
    const at = "2026-11-30T10:00:00Z";
    authClient.listSessions.mockResolvedValue({
      data: [
        { id: "s-mine", token: "h1", ipAddress: "", userAgent: CHROME_LINUX, createdAt: at, updatedAt: at },
        { id: "s-2", token: "h2", ipAddress: "", userAgent: CHROME_LINUX, createdAt: at, updatedAt: at },
      ],
      error: null,
    });
    authClient.revokeOtherSessions.mockResolvedValue({ data: { status: true }, error: null });
    const user = renderIn(<DevicesList />);

    await user.click(await screen.findByRole("button", { name: "Sign out other devices" }));

    expect(authClient.revokeOtherSessions).toHaveBeenCalled();
  });
});

describe("DeleteAccountDialog", () => {
  beforeEach(() => vi.clearAllMocks());

  it("asks for the password in a dialog that Escape closes, returning focus to the button", async () => {
    const user = renderIn(<DeleteAccountDialog />);
    const trigger = screen.getByRole("button", { name: "Delete account" });

    await user.click(trigger);
    const dialog = screen.getByRole("dialog", { name: "Delete your account?" });
    expect(within(dialog).getByLabelText("Password")).toHaveFocus();
    await user.keyboard("{Escape}");

    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(trigger).toHaveFocus();
    expect(authClient.deleteUser).not.toHaveBeenCalled();
  });

  it("puts a wrong password at its field and deletes nothing", async () => {
    authClient.deleteUser.mockResolvedValue({ data: null, error: { status: 400, code: "INVALID_PASSWORD" } });
    const user = renderIn(<DeleteAccountDialog />);

    await user.click(screen.getByRole("button", { name: "Delete account" }));
    await user.type(screen.getByLabelText("Password"), "wrong one");
    await user.click(screen.getByRole("button", { name: "Delete my account" }));

    expect(authClient.deleteUser).toHaveBeenCalledWith({ password: "wrong one" });
    const field = screen.getByLabelText("Password");
    await vi.waitFor(() => expect(field).toHaveAccessibleDescription("That is not your password."));
    expect(field).toHaveAttribute("aria-invalid", "true");
  });
});
