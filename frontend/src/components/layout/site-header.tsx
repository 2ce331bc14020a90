"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { CircleCheckBig, LayoutDashboard, ListTodo, Settings } from "lucide-react";

import { cn } from "@/lib/utils";

const NAV = [
  { href: "/tasks", label: "Tasks", icon: ListTodo },
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard },
  { href: "/settings", label: "Settings", icon: Settings },
] as const;

export function SiteHeader({ email }: { email?: string }) {
  const pathname = usePathname();
  return (
    <header className="border-b bg-card">
      <div className="mx-auto flex max-w-4xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/tasks" className="flex items-center gap-2 font-semibold">
          <CircleCheckBig className="size-5" aria-hidden />
          Todo
        </Link>
        <nav aria-label="Main" className="order-last -mx-2 flex w-full gap-1 sm:order-none sm:w-auto">
          {NAV.map(({ href, label, icon: Icon }) => {
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground outline-none transition-colors hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  active && "bg-accent text-foreground",
                )}
              >
                <Icon className="size-4" aria-hidden />
                {label}
              </Link>
            );
          })}
        </nav>
        {email && <span className="ml-auto truncate text-sm text-muted-foreground">{email}</span>}
      </div>
    </header>
  );
}
