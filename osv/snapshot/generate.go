package snapshot

//go:generate go run ./gen -src ../../../shared/data/osv/malicious -out malicious.snap.gz -source "ossf/malicious-packages (osv/malicious, via khulnasoft-lab/malicious-packages; ../shared/data/osv/malicious)" -commit "f7a43652bf65604c70a1a6a198f180bbe481e5fb (2025-06-04)" -license "Apache-2.0 (ossf/malicious-packages)"
