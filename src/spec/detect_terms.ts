/**
 * The terms industry and use-case detection reads in a description: lower-cased words
 * without common words (but with "which", "why", "how", "new" and "first", which tell
 * analysis and onboarding apart from the rest), lightly stemmed ("booked", "booking",
 * "books" → "book"), plus each pair of neighbouring words. Shared by the runtime ({@link ./detect.ts}) and the script that
 * trains the model (`scripts/train_detect.ts`), so both read a text the same way.
 */

const STOP = new Set(
  (
    "a an the and or but nor of for to in on at by from with without into onto out up down " +
    "about over under as is are was were be been being am it its it's this that these those " +
    "there here then than so such very just also too only own each every any all some more " +
    "most much many few other others another same i me my mine we us our ours you your yours " +
    "he him his she her hers they them their theirs who whom whose what when where can " +
    "could will would should shall may might must do does did done doing has have had " +
    "having not no yes via per while after before one two three etc s t d ll " +
    "ve re m let lets get gets got want wants need needs like using use uses used way ways " +
    "thing things someone something people person app apps application tool tools project " +
    "projects side product system platform"
  ).split(" "),
);

/** One term found in a text, with the words it came from. */
export interface DetectionTerm {
  /** The normalized term ("book", "sales pipelin"). */
  term: string;
  /** The words of the text it stands for ("booked", "sales pipeline"). */
  surface: string;
}

/** Light suffix stripping: plural, -ing, -ed, a final e, doubled final consonant. */
export function stemWord(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith("ies") && w.length > 4) w = w.slice(0, -3) + "y";
  else if (/(?:sses|xes|ches|shes)$/.test(w)) w = w.slice(0, -2);
  else if (/(?:ss|us|is)$/.test(w)) { /* keep */ }
  else if (w.endsWith("s")) w = w.slice(0, -1);
  let cut = false;
  if (w.endsWith("ing") && w.length >= 6) {
    w = w.slice(0, -3);
    cut = true;
  } else if (w.endsWith("ed") && w.length >= 5) {
    w = w.slice(0, -2);
    cut = true;
  }
  if (cut && /([b-df-hj-km-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("e") && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** The distinct terms of `text` (words and neighbouring pairs), in order of appearance. */
export function detectionTerms(text: string): DetectionTerm[] {
  const words = text.toLowerCase().replace(/['’]s\b/g, "").split(/[^a-z0-9]+/).filter((w) =>
    w && !STOP.has(w) && !/^\d+$/.test(w)
  );
  const stems = words.map(stemWord);
  const seen = new Set<string>();
  const out: DetectionTerm[] = [];
  const add = (term: string, surface: string) => {
    if (seen.has(term)) return;
    seen.add(term);
    out.push({ term, surface });
  };
  stems.forEach((s, i) => add(s, words[i]));
  for (let i = 0; i + 1 < stems.length; i++) {
    add(`${stems[i]} ${stems[i + 1]}`, `${words[i]} ${words[i + 1]}`);
  }
  return out;
}
