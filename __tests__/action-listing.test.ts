/**
 * The Marketplace listing: GitHub Marketplace reads action.yml at the release's tag and refuses to
 * publish a listing that breaks its rules, so a later commit cannot mend a published tag. These
 * rules hold action.yml to them on every `npm test`, before any release. (Whether the name is free
 * on the Marketplace cannot be checked offline: CONTRIBUTING's release steps check it by hand.)
 *
 * Sources:
 * - GitHub Docs, "Metadata syntax reference" (docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax;
 *   github/docs content/actions/reference/workflows-and-actions/metadata-syntax.md at 1613162):
 *   `name` and `description` required, `author` optional; `branding.color` one of nine colours;
 *   `branding.icon` one of the v4.28.0 Feather icons in its "Exhaustive list of all currently supported
 *   icons" (brand icons and 13 others omitted), copied below as listed there. It documents no length
 *   limit on `name`.
 * - The Marketplace release form: "Description must be less than 125 characters." (reported by
 *   projects that hit it, e.g. github.com/AbsaOSS/k3d-action/pull/7; not in GitHub Docs).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse as parseYaml } from 'yaml'
import { ROOT } from './support/run-action.js'

/** The icons GitHub lists for `branding.icon`, in its order. */
const ICONS = `
  activity airplay alert-circle alert-octagon alert-triangle align-center align-justify align-left align-right
  anchor aperture archive arrow-down-circle arrow-down-left arrow-down-right arrow-down arrow-left-circle
  arrow-left arrow-right-circle arrow-right arrow-up-circle arrow-up-left arrow-up-right arrow-up at-sign award
  bar-chart-2 bar-chart battery-charging battery bell-off bell bluetooth bold book-open book bookmark box
  briefcase calendar camera-off camera cast check-circle check-square check chevron-down chevron-left
  chevron-right chevron-up chevrons-down chevrons-left chevrons-right chevrons-up circle clipboard clock
  cloud-drizzle cloud-lightning cloud-off cloud-rain cloud-snow cloud code command compass copy corner-down-left
  corner-down-right corner-left-down corner-left-up corner-right-down corner-right-up corner-up-left
  corner-up-right cpu credit-card crop crosshair database delete disc dollar-sign download-cloud download droplet
  edit-2 edit-3 edit external-link eye-off eye fast-forward feather file-minus file-plus file-text file film
  filter flag folder-minus folder-plus folder gift git-branch git-commit git-merge git-pull-request globe grid
  hard-drive hash headphones heart help-circle home image inbox info italic layers layout life-buoy link-2 link
  list loader lock log-in log-out mail map-pin map maximize-2 maximize menu message-circle message-square mic-off
  mic minimize-2 minimize minus-circle minus-square minus monitor moon more-horizontal more-vertical move music
  navigation-2 navigation octagon package paperclip pause-circle pause percent phone-call phone-forwarded
  phone-incoming phone-missed phone-off phone-outgoing phone pie-chart play-circle play plus-circle plus-square
  plus pocket power printer radio refresh-ccw refresh-cw repeat rewind rotate-ccw rotate-cw rss save scissors
  search send server settings share-2 share shield-off shield shopping-bag shopping-cart shuffle sidebar skip-back
  skip-forward slash sliders smartphone speaker square star stop-circle sun sunrise sunset table tablet tag target
  terminal thermometer thumbs-down thumbs-up toggle-left toggle-right trash-2 trash trending-down trending-up
  triangle truck tv type umbrella underline unlock upload-cloud upload user-check user-minus user-plus user-x user
  users video-off video voicemail volume-1 volume-2 volume-x volume watch wifi-off wifi wind x-circle x-square x
  zap-off zap zoom-in zoom-out
`
  .trim()
  .split(/\s+/)

const COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']

/** Below this many characters: the release form refuses 125 or more. */
const DESCRIPTION_LIMIT = 125

interface Listing {
  name?: unknown
  description?: unknown
  author?: unknown
  branding?: { icon?: unknown; color?: unknown }
}

const listing = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Listing

describe('the Marketplace listing (action.yml)', () => {
  it('has a name', () => {
    expect(typeof listing.name).toBe('string')
    expect(String(listing.name).trim()).not.toBe('')
  })

  it('has a description, rendered under 125 characters, that says what the action does', () => {
    expect(typeof listing.description).toBe('string')
    const description = String(listing.description)
    expect(description.length).toBeLessThan(DESCRIPTION_LIMIT)
    expect(description).not.toContain('\n')
    for (const words of [/VPS\.org/, /back up/i, /before a deploy/, /restore/]) expect(description).toMatch(words)
  })

  it('names no placeholder author: the key is left out until the owner is known', () => {
    const { author } = listing
    if (author === undefined) return
    expect(typeof author).toBe('string')
    expect(['', 'org', 'vps-backup-action']).not.toContain(typeof author === 'string' ? author.trim() : author)
  })

  it('has a branding icon among those GitHub lists, and one of its colours', () => {
    expect(ICONS).toHaveLength(257)
    expect(new Set(ICONS).size).toBe(ICONS.length)
    expect(ICONS).toContain(listing.branding?.icon)
    expect(COLORS).toContain(listing.branding?.color)
  })

  it("CONTRIBUTING's release steps add the author and check the name on the Marketplace", () => {
    const release = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8').split(/^## Release$/m)[1] ?? ''
    expect(release).toMatch(/`author`/)
    expect(release).toMatch(/name .*free on the Marketplace|Marketplace.*name/s)
  })
})
