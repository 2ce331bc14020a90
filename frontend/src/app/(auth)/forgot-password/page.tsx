import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default async function ForgotPasswordPage({ searchParams }: PageProps<"/forgot-password">) {
  const { email } = await searchParams;
  return (
    <AuthCard title="Forgot your password?" description="Enter your email and we will send you a link to choose a new one.">
      <ForgotPasswordForm email={typeof email === "string" ? email.slice(0, 254) : ""} />
    </AuthCard>
  );
}
