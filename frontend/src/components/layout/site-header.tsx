"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTheme } from "next-themes";
import { lazy, Suspense, useState } from "react";
import { ChevronDown, CircleCheckBig, CircleUser, Keyboard, LayoutDashboard, ListTodo, LogOut, Settings } from "lucide-react";

import { useAuth } from "@/components/providers/auth-provider";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { useShortcut } from "@/lib/use-shortcut";
import { cn } from "@/lib/utils";

// Loaded when first opened: the dialog's code is not needed to draw any page.
const ShortcutsDialog = lazy(() => import("@/components/layout/shortcuts-dialog"));

const NAV = [
  { href: "/tasks", label: "Tasks", icon: ListTodo },
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard },
] as const;

/**
 * A full page load to /login: nothing of this user stays in memory, and it wins over the app shell's
 * own redirect (which would add `?redirect=`) when the session store notices the sign-out.
 */
export function leaveToLogin() {
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load is the point
  window.location.assign("/login");
}

function AccountMenu({ onShowShortcuts }: { onShowShortcuts(): void }) {
  const { user, signOut } = useAuth();
  const { theme, setTheme } = useTheme();
  if (!user) return null;
  return (
    // Not modal: a modal menu hides the rest of the page with aria-hidden while it stays focusable (axe's aria-hidden-focus).
    <DropdownMenu modal={false}>
      <DropdownMenuTrigger className="ml-auto flex h-10 max-w-[55vw] items-center gap-1.5 rounded-md px-2 text-sm text-muted-foreground outline-none hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 data-[state=open]:bg-accent">
        <CircleUser className="size-5 shrink-0 sm:hidden" aria-hidden />
        <span className="sr-only">Account menu for </span>
        <span className="truncate max-sm:sr-only">{user.email}</span>
        <ChevronDown className="size-4 shrink-0" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>
          <span className="block truncate font-medium">{user.name || user.email}</span>
          <span className="block truncate text-xs font-normal text-muted-foreground">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/settings">
            <Settings aria-hidden />
            Settings
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={onShowShortcuts}>
          <Keyboard aria-hidden />
          Keyboard shortcuts
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuLabel className="text-xs text-muted-foreground">Theme</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={theme ?? "system"} onValueChange={setTheme}>
          <DropdownMenuRadioItem value="system">System</DropdownMenuRadioItem>
          <DropdownMenuRadioItem value="light">Light</DropdownMenuRadioItem>
          <DropdownMenuRadioItem value="dark">Dark</DropdownMenuRadioItem>
        </DropdownMenuRadioGroup>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => void signOut().finally(leaveToLogin)}>
          <LogOut aria-hidden />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function SiteHeader() {
  const pathname = usePathname();
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  useShortcut("?", () => setShortcutsOpen(true));
  return (
    <header className="border-b bg-card">
      <div className="mx-auto flex max-w-3xl items-center gap-1 px-3 py-2 sm:gap-4 sm:px-6">
        <Link
          href="/tasks"
          className="flex h-10 items-center gap-2 rounded-md px-1 font-semibold outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          <CircleCheckBig className="size-5" aria-hidden />
          <span className="max-sm:sr-only">Todo</span>
        </Link>
        <nav aria-label="Main" className="flex gap-1">
          {NAV.map(({ href, label, icon: Icon }) => {
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex h-10 items-center gap-2 rounded-md px-3 text-sm font-medium text-muted-foreground outline-none transition-colors hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  active && "bg-accent text-foreground",
                )}
              >
                <Icon className="size-4" aria-hidden />
                {label}
              </Link>
            );
          })}
        </nav>
        <AccountMenu onShowShortcuts={() => setShortcutsOpen(true)} />
      </div>
      {shortcutsOpen && (
        <Suspense>
          <ShortcutsDialog open onOpenChange={setShortcutsOpen} />
        </Suspense>
      )}
    </header>
  );
}
