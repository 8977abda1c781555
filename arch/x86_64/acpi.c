/*
 * Just enough ACPI to find the CPUs and the I/O APIC: the RSDP (from the boot
 * loader or the BIOS area), the RSDT/XSDT, and the MADT's entries.
 */
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <arch/acpi.h>
#include <arch/mmu.h>

struct acpi_info acpi;

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool
checksum_ok(const void *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static paddr_t
scan_rsdp(paddr_t start, paddr_t end)
{
	for (paddr_t pa = start; pa + 20 <= end; pa += 16) {
		const char *p = phys_to_virt(pa);
		if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
			return pa;
	}
	return 0;
}

static void
parse_madt(const struct sdt_header *h)
{
	const uint8_t *p = (const uint8_t *)h + sizeof(*h) + 8;
	const uint8_t *end = (const uint8_t *)h + h->length;

	acpi.lapic_addr = *(const uint32_t *)((const uint8_t *)h + sizeof(*h));
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		switch (p[0]) {
		case 0:	/* processor local APIC */
			if ((p[4] & 1) && acpi.cpu_count < ACPI_CPU_MAX)
				acpi.apic_ids[acpi.cpu_count++] = p[3];
			break;
		case 1:	/* I/O APIC */
			if (!acpi.ioapic_addr) {
				acpi.ioapic_addr = *(const uint32_t *)(p + 4);
				acpi.ioapic_gsi_base = *(const uint32_t *)(p + 8);
			}
			if (acpi.ioapic_count < ACPI_IOAPIC_MAX) {
				acpi.ioapics[acpi.ioapic_count].addr = *(const uint32_t *)(p + 4);
				acpi.ioapics[acpi.ioapic_count].gsi_base = *(const uint32_t *)(p + 8);
				acpi.ioapic_count++;
			}
			break;
		case 2:	/* interrupt source override */
			if (p[2] == 0 && p[3] < 16) {
				acpi.isa_gsi[p[3]] = *(const uint32_t *)(p + 4);
				acpi.isa_flags[p[3]] = *(const uint16_t *)(p + 8);
			}
			break;
		case 9:	/* processor local x2APIC */
			if ((p[8] & 1) && acpi.cpu_count < ACPI_CPU_MAX)
				acpi.apic_ids[acpi.cpu_count++] = *(const uint32_t *)(p + 4);
			break;
		}
		p += p[1];
	}
}

static void
parse_table(paddr_t pa)
{
	if (!pa || pa >= (1ull << 40))
		return;
	const struct sdt_header *h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || h->length > (1u << 20))
		return;
	if (memcmp(h->sig, "APIC", 4) == 0 && checksum_ok(h, h->length))
		parse_madt(h);
	else if (memcmp(h->sig, "FACP", 4) == 0)
		acpi.fadt = pa;
}

void
acpi_init(void)
{
	for (int i = 0; i < 16; i++)
		acpi.isa_gsi[i] = i;
	paddr_t rsdp = boot_info.rsdp;
	if (!rsdp) {
		paddr_t ebda = (paddr_t)*(uint16_t *)phys_to_virt(0x40e) << 4;
		if (ebda)
			rsdp = scan_rsdp(ebda, ebda + 1024);
		if (!rsdp)
			rsdp = scan_rsdp(0xe0000, 0x100000);
	}
	if (!rsdp)
		return;
	const uint8_t *r = phys_to_virt(rsdp);
	bool xsdt = r[15] >= 2 && *(const uint64_t *)(r + 24);
	paddr_t root = xsdt ? *(const uint64_t *)(r + 24) : *(const uint32_t *)(r + 16);
	const struct sdt_header *h = phys_to_virt(root);
	if (!root || h->length < sizeof(*h) || h->length > 65536 ||
	    !checksum_ok(h, h->length)) {
		printk("acpi: bad root table at %lx, ignored\n", root);
		return;
	}
	size_t entry = xsdt ? 8 : 4;
	size_t n = (h->length - sizeof(*h)) / entry;
	const uint8_t *e = (const uint8_t *)(h + 1);
	for (size_t i = 0; i < n; i++) {
		paddr_t t = xsdt ? *(const uint64_t *)(e + i * 8) : *(const uint32_t *)(e + i * 4);
		parse_table(t);
	}
}

/*
 * The DSDT (found through the FADT) for device scans; false if there is
 * none or it does not look like one.
 */
bool
arch_acpi_dsdt(const uint8_t **table, size_t *len)
{
	if (!acpi.fadt)
		return false;
	const struct sdt_header *f = phys_to_virt(acpi.fadt);
	const uint8_t *fb = (const uint8_t *)f;
	paddr_t pa = 0;
	if (f->length >= 148)
		pa = *(const uint64_t *)(fb + 140);	/* X_DSDT */
	if (!pa && f->length >= 44)
		pa = *(const uint32_t *)(fb + 40);	/* DSDT */
	if (!pa || pa >= (4ull << 30))
		return false;
	const struct sdt_header *d = phys_to_virt(pa);
	if (memcmp(d->sig, "DSDT", 4) != 0 || d->length < sizeof(*d) ||
	    d->length > (1u << 20))
		return false;
	*table = (const uint8_t *)d;
	*len = d->length;
	return true;
}
