import { ChevronLeft, ChevronRight } from "lucide-react";

import { Button } from "@/components/ui/button";

interface PagerProps {
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  onPageChange(page: number): void;
}

export function Pager({ page, pageSize, shown, total, onPageChange }: PagerProps) {
  if (total <= pageSize && page === 0) return null;
  const first = page * pageSize + 1;
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-4">
      <p className="text-sm text-muted-foreground">
        {shown > 0 ? `${first}–${first + shown - 1} of ${total}` : `0 of ${total}`}
      </p>
      <div className="flex gap-2">
        <Button variant="outline" size="sm" onClick={() => onPageChange(page - 1)} disabled={page === 0}>
          <ChevronLeft aria-hidden />
          Previous
        </Button>
        <Button variant="outline" size="sm" onClick={() => onPageChange(page + 1)} disabled={first + shown - 1 >= total}>
          Next
          <ChevronRight aria-hidden />
        </Button>
      </div>
    </nav>
  );
}
