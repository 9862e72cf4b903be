/** Display names for simulated people: varied enough to read like a real roster, fixed so seeds reproduce. */
import type { Random } from "./random.js";

const FIRST_NAMES = [
  "Amara", "Ben", "Chloé", "Dev", "Elif", "Finn", "Grace", "Hiro", "Ines", "Jonas", "Kiri", "Leila", "Mateo", "Nadia",
  "Oskar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë", "Aroha",
  "Bjørn", "Carmen", "Dmitri", "Emeka", "Freya", "Gustavo", "Hana", "Ikaika", "Jana", "Kofi", "Lucía", "Mei", "Noah",
] as const;

const LAST_NAMES = [
  "Rivera", "Nguyen", "Okafor", "Larsen", "Tanaka", "Haddad", "Kowalski", "Moreau", "Singh", "Walker", "Ngata",
  "Fischer", "Costa", "Ivanova", "Mensah", "O'Brien", "Park", "Rossi", "Schmidt", "Yilmaz",
] as const;

/**
 * A first name and last name, e.g. "Priya Okafor".
 *
 * @example
 * fullName(new Random(1)); // always the same name for seed 1
 */
export function fullName(random: Random): string {
  return `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
}

/**
 * A last name alone, for titles such as "Dr. Okafor".
 *
 * @example
 * `Dr. ${lastName(random)}`;
 */
export function lastName(random: Random): string {
  return random.pick(LAST_NAMES);
}
