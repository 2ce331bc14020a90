import type { Metadata } from "next";
import Link from "next/link";

import { AuthCard } from "@/components/auth/auth-card";
import { Button } from "@/components/ui/button";
import { CardContent, CardFooter } from "@/components/ui/card";

export const metadata: Metadata = { title: "Account deleted" };

export default function AccountDeletedPage() {
  return (
    <AuthCard title="Your account is deleted" description="Sorry to see you go.">
      <CardContent>
        <p className="text-sm">
          Your account, your tasks and every signed-in device are gone. Nothing of it can be brought back, and this
          email address is free to use again.
        </p>
      </CardContent>
      <CardFooter className="mt-6 flex-col gap-4">
        <Button asChild variant="outline" className="w-full">
          <Link href="/signup">Create a new account</Link>
        </Button>
      </CardFooter>
    </AuthCard>
  );
}
