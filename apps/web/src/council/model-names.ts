/**
 * The short, readable name of a model id, as the original shows it: the part after the provider
 * prefix (`openai/gpt-5.1` → `gpt-5.1`). Ids without a prefix (local models) are kept whole.
 */
export function shortModelName(modelId: string): string {
  const slash = modelId.lastIndexOf('/');
  return slash >= 0 && slash < modelId.length - 1 ? modelId.slice(slash + 1) : modelId;
}
