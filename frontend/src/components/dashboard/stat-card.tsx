import type { LucideIcon } from "lucide-react";

import { cn } from "@/lib/utils";

export function StatCard({
  label,
  value,
  hint,
  icon: Icon,
  tone,
}: {
  label: string;
  value: number;
  hint?: string;
  icon: LucideIcon;
  tone?: "danger" | "success";
}) {
  return (
    <div className="rounded-xl border bg-card p-5 shadow-xs">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm font-medium text-muted-foreground">{label}</p>
        <Icon
          className={cn("size-4 text-muted-foreground", tone === "danger" && "text-destructive", tone === "success" && "text-success")}
          aria-hidden
        />
      </div>
      <p className={cn("mt-2 text-3xl font-semibold tabular-nums", tone === "danger" && value > 0 && "text-destructive")}>
        {value}
      </p>
      {hint && <p className="mt-1 text-xs text-muted-foreground">{hint}</p>}
    </div>
  );
}
