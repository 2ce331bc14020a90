import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";
import { safeRedirect } from "@/lib/redirect";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: PageProps<"/login">) {
  const { redirect } = await searchParams;
  return (
    <AuthCard title="Welcome back" description="Sign in to see your tasks.">
      <LoginForm redirectTo={safeRedirect(redirect)} />
    </AuthCard>
  );
}
