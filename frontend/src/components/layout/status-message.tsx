import type { ReactNode } from "react";

/** A centred message for empty and error states, with an optional action. */
export function StatusMessage({ title, text, children }: { title: string; text?: string; children?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-3 rounded-xl border border-dashed px-6 py-12 text-center">
      <h2 className="font-medium">{title}</h2>
      {text && <p className="max-w-sm text-sm text-muted-foreground">{text}</p>}
      {children}
    </div>
  );
}
