import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";
import { safeRedirect } from "@/lib/redirect";
import { parseSessionEndReason, SESSION_END_MESSAGES } from "@/lib/session-end";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: PageProps<"/login">) {
  const { redirect, reason, email } = await searchParams;
  const ended = parseSessionEndReason(reason);
  return (
    <AuthCard title="Welcome back" description="Sign in to see your tasks.">
      <LoginForm
        redirectTo={safeRedirect(redirect)}
        notice={ended && SESSION_END_MESSAGES[ended]}
        email={typeof email === "string" ? email.slice(0, 254) : ""}
      />
    </AuthCard>
  );
}
