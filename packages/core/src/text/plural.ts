/** "1 entry", "2 entries", "0 bytes": the count with the noun in the right number. */
export function plural(count: number, singular: string, pluralForm = defaultPlural(singular)): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function defaultPlural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}
