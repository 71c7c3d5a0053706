package osvtry
import ("context";"testing";"github.com/tollgate-dev/tollgate/osv")
func BenchmarkLoad(b *testing.B){ for i:=0;i<b.N;i++{ if _,err:=osv.LoadDB(context.Background(),"/work/shared/data/osv/malicious/npm",osv.LoadOptions{});err!=nil{b.Fatal(err)}}}
