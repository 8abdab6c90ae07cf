/** A centred spinner with a status text that screen readers announce. */
export function PageLoading(props: { label?: string }) {
  return (
    <div class="page-loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{props.label ?? 'Loading…'}</span>
    </div>
  );
}
