# Sourced by the tests that boot whichever machine their build directory
# holds. Sets machine (x86_64, aarch64, riscv64 or um), image (what boots),
# elf (what gdb reads) and sim (the launcher in sim/; empty on um, where
# the image is the umka program itself). Bails out when there is none.
if [ -f umka-x86_64.elf ]; then
	machine=x86_64 sim=qemu-x86_64 image=umka-x86_64.elf elf=umka-x86_64.elf
elif [ -f umka-aarch64.img ]; then
	machine=aarch64 sim=qemu-aarch64 image=umka-aarch64.img elf=umka-aarch64.elf
elif [ -f umka-riscv64.img ]; then
	machine=riscv64 sim=qemu-riscv64 image=umka-riscv64.img elf=umka-riscv64.elf
elif [ -x "${UMKA:-./umka}" ]; then
	machine=um sim= image=${UMKA:-./umka} elf=${UMKA:-./umka}
else
	echo "Bail out! no umka-<cpu> image and no umka in $(pwd)"
	exit 1
fi
