import { vi } from "vitest";

/** Stand-ins for `next/navigation` and the Better Auth client, shared by the form tests. */
export const router = { replace: vi.fn(), push: vi.fn(), refresh: vi.fn() };

/** `useSession().refetch`: the forms wait for it before leaving the page. */
export const refetchSession = vi.fn(async () => {});

export const authClient = {
  useSession: vi.fn(() => ({ data: null, isPending: false, isRefetching: false, error: null, refetch: refetchSession })),
  signIn: { email: vi.fn() },
  signUp: { email: vi.fn() },
  signOut: vi.fn(),
  requestPasswordReset: vi.fn(),
  resetPassword: vi.fn(),
  sendVerificationEmail: vi.fn(),
  changePassword: vi.fn(),
  updateUser: vi.fn(),
  deleteUser: vi.fn(),
  listSessions: vi.fn(),
  revokeSession: vi.fn(),
  revokeOtherSessions: vi.fn(),
};

/** A promise whose settling the test controls, to see the form while it is sending. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
