import Link from "next/link";
import type { LucideIcon } from "lucide-react";

import { cn } from "@/lib/utils";

interface StatCardProps {
  label: string;
  value: number;
  hint?: string;
  icon: LucideIcon;
  tone?: "danger" | "success";
  /** The tasks view this number counts. */
  href: string;
}

/** A number that is also a way in: the card links to the list of the tasks it counts. */
export function StatCard({ label, value, hint, icon: Icon, tone, href }: StatCardProps) {
  return (
    <Link
      href={href}
      className="group rounded-xl border bg-card p-4 shadow-xs outline-none transition-colors hover:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50"
    >
      <span className="flex items-center justify-between gap-2">
        <span className="text-sm font-medium text-muted-foreground group-hover:text-foreground">{label}</span>
        <Icon
          className={cn("size-4 text-muted-foreground", tone === "danger" && "text-destructive", tone === "success" && "text-success")}
          aria-hidden
        />
      </span>
      <span className={cn("mt-1 block text-3xl font-semibold tabular-nums", tone === "danger" && value > 0 && "text-destructive")}>
        {value}
      </span>
      {hint && <span className="mt-0.5 block text-xs text-muted-foreground">{hint}</span>}
    </Link>
  );
}
